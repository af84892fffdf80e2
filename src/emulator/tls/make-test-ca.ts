/**
 * makeTestCa: a throw-away test CA and one server certificate for the real-hostname mode, made with node:crypto and a
 * small DER writer (Node parses X.509 but cannot create it: no dependency, no openssl binary needed).
 */
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  bitString,
  boolean,
  explicit,
  integer,
  octetString,
  oid,
  pem,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from './der.ts'

export const REAL_HOSTNAMES = ['login.microsoftonline.com', 'graph.microsoft.com'] as const
export const DEFAULT_NAMES = [...REAL_HOSTNAMES, 'localhost', '127.0.0.1', '::1']

export interface TestCertificates {
  /** The test CA certificate: NODE_EXTRA_CA_CERTS, Chromium's trust store. */
  caPem: string
  /** The server certificate (SANs = names); the CA is not sent, as usual for a root. */
  certPem: string
  /** The server's private key (PKCS #8). */
  keyPem: string
  names: string[]
  /** Base64 SHA-256 of the server key, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string
}

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'))
const name = (commonName: string) =>
  sequence(
    set(sequence(oid('2.5.4.10'), utf8String('Graph Connect emulator (test only)'))),
    set(sequence(oid('2.5.4.3'), utf8String(commonName))),
  )
const extension = (id: string, critical: boolean, value: Buffer) =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value))
const keyId = (key: KeyObject) =>
  createHash('sha1')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest()
const ipBytes = (address: string) => {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number))
  const [head = '', tail] = address.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return Buffer.from(groups.map((group) => group.padStart(4, '0')).join(''), 'hex')
}

function certificate(options: {
  subject: string
  issuer: string
  subjectKey: KeyObject
  issuerKey: KeyObject
  issuerPublic: KeyObject
  days: number
  extensions: Buffer[]
}): Buffer {
  const now = Date.now()
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ECDSA_SHA256,
    name(options.issuer),
    sequence(time(new Date(now - 3600_000)), time(new Date(now + options.days * 86400_000))),
    name(options.subject),
    options.subjectKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        ...options.extensions,
        extension('2.5.29.14', false, octetString(keyId(options.subjectKey))), // subjectKeyIdentifier
        extension('2.5.29.35', false, sequence(tlv(0x80, keyId(options.issuerPublic)))), // authorityKeyIdentifier
      ),
    ),
  )
  return sequence(tbs, ECDSA_SHA256, bitString(sign('sha256', tbs, options.issuerKey)))
}

/**
 * A fresh CA and a server certificate for `names` (DNS names and IP addresses). The CA's private key is never returned
 * or written: once the server certificate is signed nobody can mint another under this CA, so trusting ca.pem only ever
 * vouches for these names.
 */
export function makeTestCa({
  names = DEFAULT_NAMES,
  days = 30,
}: { names?: string[]; days?: number } = {}): TestCertificates {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const caDer = certificate({
    subject: 'Graph Connect emulator test CA',
    issuer: 'Graph Connect emulator test CA',
    subjectKey: ca.publicKey,
    issuerKey: ca.privateKey,
    issuerPublic: ca.publicKey,
    days,
    extensions: [
      extension('2.5.29.19', true, sequence(boolean(true), integer(0))), // basicConstraints: CA, pathLen 0
      extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)), // keyUsage: keyCertSign, cRLSign
    ],
  })
  const altNames = names.map((entry) =>
    isIP(entry) ? tlv(0x87, ipBytes(entry)) : tlv(0x82, Buffer.from(entry, 'ascii')),
  )
  const serverDer = certificate({
    subject: names[0]!,
    issuer: 'Graph Connect emulator test CA',
    subjectKey: server.publicKey,
    issuerKey: ca.privateKey,
    issuerPublic: ca.publicKey,
    days,
    extensions: [
      extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
      extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, sequence(...altNames)), // subjectAltName
    ],
  })
  const caPem = pem('CERTIFICATE', caDer)
  const serverPem = pem('CERTIFICATE', serverDer)
  if (!new X509Certificate(serverPem).verify(new X509Certificate(caPem).publicKey))
    throw new Error('test certificate does not verify')
  return {
    caPem,
    certPem: serverPem,
    keyPem: String(server.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    names: [...names],
    spkiSha256: createHash('sha256')
      .update(server.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64'),
  }
}

/** Writes ca.pem, server-cert.pem and server-key.pem (0600) under `outDir`; returns their paths. */
export function writeTestCa(outDir: string, options?: { names?: string[]; days?: number }) {
  const made = makeTestCa(options)
  mkdirSync(outDir, { recursive: true })
  const paths = {
    ca: join(outDir, 'ca.pem'),
    cert: join(outDir, 'server-cert.pem'),
    key: join(outDir, 'server-key.pem'),
  }
  writeFileSync(paths.ca, made.caPem)
  writeFileSync(paths.cert, made.certPem)
  writeFileSync(paths.key, made.keyPem, { mode: 0o600 })
  return { ...paths, names: made.names, spkiSha256: made.spkiSha256 }
}

// npm exec -- node src/emulator/tls/make-test-ca.ts [outDir=data/tls] [--days 30] [--name extra.host ...]
//   → outDir/ca.pem (trust this), outDir/server-cert.pem + outDir/server-key.pem (give these to the emulator)
if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { days: { type: 'string', default: '30' }, name: { type: 'string', multiple: true } },
  })
  const outDir = resolve(positionals[0] ?? 'data/tls')
  const written = writeTestCa(outDir, {
    names: [...DEFAULT_NAMES, ...(values.name ?? [])],
    days: Number(values.days),
  })
  process.stdout.write(
    `Test CA and server certificate for ${written.names.join(', ')} (valid ${values.days} days):\n` +
      `  trust:  ${written.ca}\n  cert:   ${written.cert}\n  key:    ${written.key}\n` +
      `  Chromium --ignore-certificate-errors-spki-list=${written.spkiSha256}\n`,
  )
}
