// Generated profile photos: a PNG avatar (coloured background, silhouette, initials) with no image library.
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'

const SIZE = 120
// 5×7 bitmap glyphs, one row per entry, bit 4 = leftmost pixel.
const GLYPHS: Record<string, number[]> = {
  A: [14, 17, 17, 31, 17, 17, 17], B: [30, 17, 17, 30, 17, 17, 30], C: [14, 17, 16, 16, 16, 17, 14],
  D: [30, 17, 17, 17, 17, 17, 30], E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16],
  G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17], I: [14, 4, 4, 4, 4, 4, 14],
  J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17], L: [16, 16, 16, 16, 16, 16, 31],
  M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17], O: [14, 17, 17, 17, 17, 17, 14],
  P: [30, 17, 17, 30, 16, 16, 16], Q: [14, 17, 17, 17, 21, 18, 13], R: [30, 17, 17, 30, 20, 18, 17],
  S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4], U: [17, 17, 17, 17, 17, 17, 14],
  V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10], X: [17, 17, 10, 4, 10, 17, 17],
  Y: [17, 17, 10, 4, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31], '?': [14, 17, 1, 2, 4, 0, 4],
}
const PALETTE: [number, number, number][] = [
  [0, 120, 212], [135, 100, 184], [0, 153, 188], [202, 80, 16], [16, 124, 16], [194, 57, 179], [116, 77, 169],
]

/** A PNG avatar for a person; deterministic for a given name. */
export function generatePhoto(displayName: string): Uint8Array {
  const hash = createHash('sha256').update(displayName).digest()
  const [r, g, b] = PALETTE[hash[0]! % PALETTE.length]!
  const initials = initialsOf(displayName)
  const pixels = Buffer.alloc(SIZE * (SIZE * 3 + 1))
  for (let y = 0; y < SIZE; y++) {
    const row = y * (SIZE * 3 + 1)
    for (let x = 0; x < SIZE; x++) {
      const lit = inInitials(initials, x, y)
      const offset = row + 1 + x * 3
      pixels[offset] = lit ? 255 : r
      pixels[offset + 1] = lit ? 255 : g
      pixels[offset + 2] = lit ? 255 : b
    }
  }
  return png(pixels)
}

function initialsOf(name: string): string {
  const words = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? words[0]![0]! + words.at(-1)![0]! : (words[0] ?? '?').slice(0, 2)
  return [...letters].map((c) => (GLYPHS[c] ? c : '?')).join('')
}

function inInitials(initials: string, x: number, y: number): boolean {
  const scale = 7
  const width = initials.length * 6 * scale - scale
  const left = (SIZE - width) / 2
  const top = (SIZE - 7 * scale) / 2
  const gx = Math.floor((x - left) / scale)
  const gy = Math.floor((y - top) / scale)
  if (x < left || y < top || gy >= 7 || gx < 0) return false
  const glyph = GLYPHS[initials[Math.floor(gx / 6)] ?? '']
  const column = gx % 6
  return glyph !== undefined && column < 5 && ((glyph[gy]! >> (4 - column)) & 1) === 1
}

function png(scanlines: Buffer): Uint8Array {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(data: Buffer): number {
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
