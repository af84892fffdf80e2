/** Test kit: an emulator on 127.0.0.1:0 and unmodified msal-node configured for it by authority label + metadata. */
import { createHash, randomBytes } from 'node:crypto'
import * as msal from '@azure/msal-node'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts'

export async function startEmulator(options: EmulatorOptions = {}): Promise<{
  emulator: Emulator
  metadata: string
  authority: string
  knownAuthorities: string[]
}> {
  const emulator = await buildEmulator({ logger: false, ...options })
  await emulator.listen({ port: 0, host: '127.0.0.1' })
  const metadata = await (await fetch(emulator.client.discoveryUrl(emulator.demo.tenantId))).text()
  const port = new URL(emulator.url).port
  return {
    emulator,
    metadata,
    authority: `https://localhost:${port}/${emulator.demo.tenantId}`,
    knownAuthorities: [`localhost:${port}`],
  }
}

export function confidentialClient(
  setup: Awaited<ReturnType<typeof startEmulator>>,
  credential: 'secret' | 'certificate' = 'secret',
) {
  const { demo } = setup.emulator
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: demo.clientId,
      authority: setup.authority,
      knownAuthorities: setup.knownAuthorities,
      authorityMetadata: setup.metadata,
      ...(credential === 'secret'
        ? { clientSecret: demo.clientSecret }
        : {
            clientCertificate: {
              thumbprintSha256: demo.certificate.thumbprintSha256,
              privateKey: demo.certificate.privateKeyPem,
            },
          }),
    },
  })
}

export function publicClient(setup: Awaited<ReturnType<typeof startEmulator>>) {
  return new msal.PublicClientApplication({
    auth: {
      clientId: setup.emulator.demo.clientId,
      authority: setup.authority,
      knownAuthorities: setup.knownAuthorities,
      authorityMetadata: setup.metadata,
    },
  })
}

export const challengeOf = (verifier: string) =>
  createHash('sha256').update(verifier).digest('base64url')

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: challengeOf(verifier) }
}
