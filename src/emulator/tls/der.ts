/**
 * A minimal DER writer (ITU-T X.690): just the types an X.509 v3 certificate needs, so the test CA needs no dependency.
 */

const length = (size: number): Buffer => {
  if (size < 0x80) return Buffer.from([size])
  const bytes: number[] = []
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** Tag-length-value; `tag` is the whole identifier octet (e.g. 0x30 SEQUENCE, 0xa0 [0] constructed, 0x82 [2] primitive). */
export const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

export const sequence = (...items: Buffer[]) => tlv(0x30, ...items)
export const set = (...items: Buffer[]) => tlv(0x31, ...items)
export const explicit = (number: number, item: Buffer) => tlv(0xa0 | number, item)
export const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]))
export const octetString = (bytes: Buffer) => tlv(0x04, bytes)
export const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))

/** Unsigned big-endian integer bytes, or a small number; kept positive and minimal as DER wants. */
export const integer = (value: number | Buffer): Buffer => {
  const hex = typeof value === 'number' ? value.toString(16) : ''
  let bytes =
    typeof value === 'number' ? Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex') : value
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1)
  return tlv(0x02, bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
}

/** A bit string from whole bytes; `unusedBits` are the trailing zero bits of the last byte (named-bit lists). */
export const bitString = (bytes: Buffer, unusedBits = 0) =>
  tlv(0x03, Buffer.from([unusedBits]), bytes)

export const oid = (dotted: string): Buffer => {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * first + second]
  for (const arc of rest) {
    const groups = [arc & 0x7f]
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      groups.unshift((value & 0x7f) | 0x80)
    bytes.push(...groups)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** UTCTime (YYMMDDHHMMSSZ) until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
export const time = (date: Date): Buffer => {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(text.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(text, 'ascii'))
}

export const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`
