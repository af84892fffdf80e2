/** `emulator`: the Microsoft identity platform + Graph emulator alone (optionally over TLS). */
import { readFileSync } from 'node:fs'
import { EXIT, type Command } from '../command.ts'
import { startEmulator } from '../compose.ts'
import { readEnv } from '../env.ts'

export interface EmulatorCommandOptions {
  port: number
  dataDir: string
  tlsCert?: string
  tlsKey?: string
  /** EMULATOR_ALLOWED_HOSTS: more names to answer (comma-separated), beyond localhost and the loopback addresses. */
  allowedHosts?: string
  out?: (line: string) => void
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'the Microsoft identity platform + Graph emulator alone',
  synopsis: '[--port 8001] [--data data/emulator] [--tls-cert cert.pem --tls-key key.pem]',
  details: [
    '--port <n>          where it listens on localhost (0: any free port; default 8001)',
    '--data <folder>     its SQLite state, kept across restarts (default data/emulator)',
    '--tls-cert, --tls-key  PEM files: HTTPS, and the real hostnames mode (docs/REAL-HOSTNAME-MODE.md)',
    'EMULATOR_ALLOWED_HOSTS  more names it answers, comma-separated (it answers localhost, 127.0.0.1, [::1])',
  ],
  options: {
    port: { type: 'string', default: '8001' },
    data: { type: 'string', default: 'data/emulator' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
  async run(values) {
    const port = /^\d+$/.test(String(values.port)) ? Number(values.port) : Number.NaN
    if (!(port <= 65535)) {
      process.stderr.write(`--port must be a port number (0 to 65535), got "${values.port}".\n`)
      return EXIT.usage
    }
    return runEmulator({
      port,
      dataDir: String(values.data),
      allowedHosts: readEnv().EMULATOR_ALLOWED_HOSTS,
      tlsCert: values['tls-cert'] as string | undefined,
      tlsKey: values['tls-key'] as string | undefined,
    })
  },
}

export async function runEmulator(options: EmulatorCommandOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    out('--tls-cert and --tls-key go together: give both (PEM files) or neither.')
    return 1
  }
  let tls: { cert: Buffer; key: Buffer } | undefined
  try {
    tls =
      options.tlsCert && options.tlsKey
        ? { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) }
        : undefined
  } catch (error) {
    out(`Cannot read the TLS certificate or key: ${(error as Error).message}`)
    return 1
  }
  const emulator = await startEmulator(options.port, {
    dataDir: options.dataDir,
    tls,
    allowedHosts: options.allowedHosts,
  })
  const stop = () => void emulator.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  out(`Emulator listening on ${emulator.url}/`)
  if (tls)
    out(
      `  also as https://login.microsoftonline.com and https://graph.microsoft.com when those names point here (docs/REAL-HOSTNAME-MODE.md)`,
    )
  out(
    `  tenant ${emulator.demo.tenantId} (${emulator.demo.tenantDomain}); demo app client id ${emulator.demo.clientId}`,
  )
  out(`  demo app client secret ${emulator.demo.clientSecret}`)
  out(`  authority: ${emulator.url}/${emulator.demo.tenantId}   Graph: ${emulator.url}/v1.0`)
  out(`  inbox viewer: ${emulator.url}/inbox`)
  for (const user of emulator.demo.users)
    out(`  ${user.userPrincipalName.padEnd(26)} ${user.password}`)
  return 0
}
