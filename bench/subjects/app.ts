// The Connect app in its own process, built as `npm start` builds it, against an emulator running elsewhere.
import { runSubject } from '../lib/subject-child.ts'

runSubject(async () => {
  throw new Error('not wired yet')
})
