/**
 * A worker process for the journal contract's kill tests: opens the journal named by its first argument, does what
 * its second (JSON) says, prints one JSON line when done, and idles until it is killed. Commands:
 * - `{ "slots": { mailbox, count, limits, slotLeaseMs } }` takes `count` request slots and keeps them;
 * - `{ "claim": { job, worker, limits } }` claims 3 rows and leaves them drafting, sending and drafted;
 * - `{ "import": { job, rows, stopAfter } }` imports a job whose source stalls after `stopAfter` rows.
 */
import { openMergeJournal } from './open-merge-journal.ts'
import type { MailboxLimits, NewJob } from './merge-journal.ts'

interface Command {
  slots?: { mailbox: string; count: number; limits: MailboxLimits; slotLeaseMs: number }
  claim?: { job: string; worker: string; limits: MailboxLimits }
  import?: { job: NewJob; rows: number; stopAfter: number }
}

const [spec, json] = process.argv.slice(2) as [string, string]
const command = JSON.parse(json) as Command
const journal = await openMergeJournal(spec, { slotLeaseMs: command.slots?.slotLeaseMs })
const ready = (report: object = {}) => console.log(JSON.stringify(report))
setInterval(() => {}, 60_000) // idle until killed

if (command.slots) {
  const { mailbox, count, limits, slotLeaseMs } = command.slots
  for (let taken = 0; taken < count; taken++) await journal.enter(mailbox, limits)
  ready({ expiresAt: Date.now() + slotLeaseMs })
} else if (command.claim) {
  const { job, worker, limits } = command.claim
  const [drafting, sending, drafted] = await journal.claim(job, worker, 3, 600_000)
  await journal.update(drafting!, worker, { state: 'drafting' })
  const started = await journal.startSend(sending!, worker, limits)
  if (!('ok' in started)) throw new Error(`startSend: ${JSON.stringify(started)}`)
  await journal.update(drafted!, worker, { state: 'drafted', draftId: 'draft-3' })
  ready()
} else if (command.import) {
  const { job, rows, stopAfter } = command.import
  void journal.createJob(
    job,
    (async function* () {
      for (let row = 1; row <= rows; row++) {
        if (row > stopAfter) {
          ready()
          await new Promise(() => {}) // the source stalls: the process is killed here
        }
        yield { row, data: { name: `Person ${row}` }, recipients: 1 }
      }
    })(),
  )
}
