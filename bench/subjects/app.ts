// The Connect app in its own process, composed exactly as `npm start` composes it (src/cli/compose.ts),
// configured by environment for an emulator that runs in another process. It is spawned with `npm start`'s Node flags
// (bench/lib/start-flags.ts reads them from package.json: heap sizes, compile-cache preload), so its RSS is what users get.
import { start } from '../../src/cli/commands/start.ts'
import { runSubject } from '../lib/subject-child.ts'

runSubject(async ([envJson]) => {
  const env = JSON.parse(envJson) as Record<string, string>
  const code = await start({ env, out: () => undefined })
  if (code !== 0) throw new Error(`start returned ${code}`)
  return {
    url: env.PUBLIC_URL,
    info: { env },
    // start() installed the SIGTERM handler: graceful shutdown, then exit (which also writes --cpu-prof).
    close: async () => void process.kill(process.pid, 'SIGTERM'),
  }
})
