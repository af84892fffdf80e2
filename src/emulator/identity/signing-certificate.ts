/**
 * signingCertificate: a self-signed X.509 certificate for the emulator's RS256 signing key, as Entra publishes one per
 * key in its JWKS (`x5c`; `kid` and `x5t` are its SHA-1 thumbprint). Built with node:crypto and the DER writer of the
 * test CA; deterministic — the same key always gives the same certificate, so `kid` is stable across restarts.
 */
import { createHash, sign, type KeyObject } from 'node:crypto'
import {
  bitString,
  explicit,
  integer,
  oid,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from '../tls/der.ts'

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), tlv(0x05))
const SUBJECT = sequence(
  set(sequence(oid('2.5.4.3'), utf8String('Graph Connect emulator token signing'))),
)
// Fixed dates (RSA PKCS #1 v1.5 signatures are deterministic too): the certificate only carries the key.
const NOT_BEFORE = new Date('2024-01-01T00:00:00Z')
const NOT_AFTER = new Date('2049-12-31T23:59:59Z')

/** The certificate's DER: v3, serial from the key, self-issued, sha256WithRSAEncryption. */
export function signingCertificate(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const serial = createHash('sha256').update(spki).digest().subarray(0, 16)
  serial[0] = (serial[0]! & 0x7f) | 0x01 // positive and without leading zero
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    SHA256_WITH_RSA,
    SUBJECT,
    sequence(time(NOT_BEFORE), time(NOT_AFTER)),
    SUBJECT,
    spki,
  )
  return sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, privateKey)))
}
