/** `emulator`: the Microsoft identity platform + Graph emulator alone (optionally over TLS). */
import { readFileSync } from 'node:fs'

export interface EmulatorCommandOptions {
  port: number
  dataDir: string
  tlsCert?: string
  tlsKey?: string
  out?: (line: string) => void
}

export async function runEmulator(options: EmulatorCommandOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    out('--tls-cert and --tls-key go together: give both (PEM files) or neither.')
    return 1
  }
  const { buildEmulator } = await import('../../emulator/app.ts')
  const publicUrl = options.tlsCert ? `https://localhost:${options.port}` : undefined
  const emulator = await buildEmulator({ dataDir: options.dataDir, publicUrl })
  if (options.tlsCert && options.tlsKey) {
    // The emulator's Fastify instance listens over TLS through a node:https server wrapping its handler.
    const { createServer } = await import('node:https')
    await emulator.fastify.ready()
    const server = createServer({ cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) }, (request, response) => emulator.fastify.server.emit('request', request, response))
    await new Promise<void>((resolve) => server.listen(options.port, 'localhost', resolve))
    emulator.url = publicUrl ?? ''
    process.once('SIGINT', () => server.close(() => process.exit(0)))
    process.once('SIGTERM', () => server.close(() => process.exit(0)))
  } else {
    await emulator.listen({ port: options.port, host: 'localhost' })
    const stop = () => void emulator.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }
  out(`Emulator listening on ${emulator.url}/`)
  out(`  tenant ${emulator.demo.tenantId} (${emulator.demo.tenantDomain}); demo app client id ${emulator.demo.clientId}`)
  out(`  authority: ${emulator.url}/${emulator.demo.tenantId}   Graph: ${emulator.url}/v1.0`)
  for (const user of emulator.demo.users) out(`  ${user.userPrincipalName.padEnd(26)} ${user.password}`)
  return 0
}
