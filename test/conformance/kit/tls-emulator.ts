/**
 * startTlsEmulator(options): the emulator over HTTPS on https://localhost:<port> with a fresh test CA, and this process
 * trusting that CA as `NODE_EXTRA_CA_CERTS=ca.pem` would make it (tls.setDefaultCACertificates). For clients that
 * refuse an http:// authority or base URL but take any https:// one (Azure Identity, the Graph JS SDK, MSAL Python).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../../src/emulator/index.ts'
import { writeTestCa } from '../../../src/emulator/tls/make-test-ca.ts'

export interface TlsEmulator {
  emulator: Emulator
  /** https://localhost:<port> */
  url: string
  /** The test CA's PEM file: what a user points NODE_EXTRA_CA_CERTS or REQUESTS_CA_BUNDLE at. */
  caFile: string
  /** Closes the emulator and removes the CA and key files. */
  close(): Promise<void>
}

export async function startTlsEmulator(options: EmulatorOptions = {}): Promise<TlsEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-tls-'))
  const files = writeTestCa(dir)
  const emulator = await buildEmulator({
    logger: false,
    throttling: false,
    ...options,
    tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
  })
  await emulator.listen({ port: 0, host: 'localhost' })
  const ca = readFileSync(files.ca, 'utf8')
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca])
  return {
    emulator,
    url: emulator.url,
    caFile: files.ca,
    async close() {
      await emulator.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
