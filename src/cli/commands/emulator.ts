/** `emulator`: the Microsoft identity platform + Graph emulator alone (optionally over TLS). */
import { readFileSync } from 'node:fs'
import { startEmulator } from '../compose.ts'

export interface EmulatorCommandOptions {
  port: number
  dataDir: string
  tlsCert?: string
  tlsKey?: string
  /** EMULATOR_ALLOWED_HOSTS: more names to answer (comma-separated), beyond localhost and the loopback addresses. */
  allowedHosts?: string
  out?: (line: string) => void
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
