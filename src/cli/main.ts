/** The command line, through bin/graph-connect: `start` (the app, and the emulator with no CLIENT_ID), `emulator`. */
import { parseArgs } from 'node:util'
import { maskSecrets } from '../core/index.ts'
import { runEmulator } from './commands/emulator.ts'
import { start } from './commands/start.ts'
import { readEnv } from './env.ts'

const usage = `Usage:
  npm start                      the Connect app on http://127.0.0.1:8000 (and the emulator on http://localhost:8001,
                                 or EMULATOR_PORT, when CLIENT_ID is unset)
  npm run emulator -- [--port 8001] [--data data/emulator] [--tls-cert cert.pem --tls-key key.pem]`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'start': {
      parseArgs({ args: rest, options: {}, strict: true })
      return start({ env: readEnv() })
    }
    case 'emulator': {
      const { values } = parseArgs({
        args: rest,
        strict: true,
        options: {
          port: { type: 'string', default: '8001' },
          data: { type: 'string', default: 'data/emulator' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
        },
      })
      const port = Number(values.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`--port must be a port number, got "${values.port}".\n`)
        return 1
      }
      return runEmulator({
        port,
        dataDir: values.data,
        allowedHosts: readEnv().EMULATOR_ALLOWED_HOSTS,
        tlsCert: values['tls-cert'],
        tlsKey: values['tls-key'],
      })
    }
    default:
      process.stdout.write(`${usage}\n`)
      return command === undefined || command === 'help' || command === '--help' ? 0 : 1
  }
}

// Last resort (SE-11): log without secrets and exit in a controlled way; never keep running in an unknown state.
for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(
      maskSecrets(
        `${event}: ${(error as { code?: string }).code ?? ''} ${(error as Error)?.message ?? String(error)}`,
      ) + '\n',
    )
    process.exit(1)
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code)
  },
  (error: unknown) => {
    const code = (error as { code?: string }).code
    process.stderr.write(`${code ? `${code}: ` : ''}${(error as Error).message ?? String(error)}\n`)
    if (code === 'EADDRINUSE') process.stderr.write(`${portInUse(error as { port?: number })}\n`)
    if (process.argv.includes('--verbose')) process.stderr.write(`${(error as Error).stack}\n`)
    process.exit(1)
  },
)

function portInUse({ port }: { port?: number }): string {
  return [
    `Port ${port ?? '?'} is already taken, perhaps by a Graph Connect that is still running (npm start, npm run emulator).`,
    'Stop that process, or use other ports: PORT and PUBLIC_URL for the app, EMULATOR_PORT for the emulator',
    'that npm start embeds, --port for npm run emulator.',
  ].join('\n')
}
