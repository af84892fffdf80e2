// `npm start` as src/cli/main.ts runs it, with the embedded emulator on a free port instead of 8001
// (B4's cold start with --free-ports, or when port 8001 is taken on this machine).
import { start } from '../../src/cli/commands/start.ts'
import { readEnv } from '../../src/cli/env.ts'

const code = await start({ env: readEnv(), emulatorPort: 0, emulatorDataDir: 'data/emulator' })
if (code !== 0) process.exit(code)
