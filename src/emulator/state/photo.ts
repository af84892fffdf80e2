/**
 * Generated profile photos like Microsoft 365's initials avatars: bold anti-aliased initials on a coloured square
 * (clients crop it to a circle), drawn from the stroke font in photo-font.ts, with no image library.
 */
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { GLYPHS, PEN, type Stroke } from './photo-font.ts'

/** Pixels a side; one of Graph's photo sizes (48, 64, 96, 120, 240, 360 …). */
export const PHOTO_SIZE = 240
const CAP_HEIGHT = 0.32 * PHOTO_SIZE // pixels from the top of the ink to the baseline
const LETTER_SPACING = 16 // font units between two glyphs' ink
// Microsoft 365 avatar colours, dark enough for white text (WCAG AA at this size).
const PALETTE: [number, number, number][] = [
  [0, 120, 212],
  [135, 100, 184],
  [0, 124, 137],
  [202, 80, 16],
  [16, 124, 16],
  [194, 57, 179],
  [116, 77, 169],
  [164, 38, 44],
  [3, 131, 135],
  [142, 86, 46],
  [79, 107, 237],
  [99, 124, 131],
]

type Segment = [x1: number, y1: number, x2: number, y2: number]

/** A PNG avatar for a person; deterministic for a given name (same name, same bytes). */
export function generatePhoto(displayName: string): Uint8Array {
  const hash = createHash('sha256').update(displayName).digest()
  const [r, g, b] = PALETTE[hash[0]! % PALETTE.length]!
  const segments = layOut(initialsOf(displayName))
  const radius = PEN * (CAP_HEIGHT / 100)
  const stride = PHOTO_SIZE * 3 + 1
  const pixels = Buffer.alloc(PHOTO_SIZE * stride)
  const reach = radius + 1
  for (let y = 0; y < PHOTO_SIZE; y++) {
    // Only the segments this row can touch: the distance to the others is never computed.
    const near = segments.filter(
      ([, y1, , y2]) => Math.min(y1, y2) - reach <= y + 0.5 && y + 0.5 <= Math.max(y1, y2) + reach,
    )
    for (let x = 0; x < PHOTO_SIZE; x++) {
      // Coverage from the distance to the pen's centre line: a one-pixel ramp, i.e. analytic anti-aliasing.
      const ink = near.length
        ? Math.min(1, Math.max(0, radius + 0.5 - distance(near, x + 0.5, y + 0.5)))
        : 0
      const offset = y * stride + 1 + x * 3
      pixels[offset] = Math.round(r + (255 - r) * ink)
      pixels[offset + 1] = Math.round(g + (255 - g) * ink)
      pixels[offset + 2] = Math.round(b + (255 - b) * ink)
    }
  }
  return png(pixels)
}

function initialsOf(name: string): string {
  const words = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .split(/\s+/)
    .filter(Boolean)
  const letters =
    words.length > 1 ? words[0]![0]! + words.at(-1)![0]! : (words[0] ?? '?').slice(0, 2)
  return [...letters].map((c) => (GLYPHS[c] ? c : '?')).join('')
}

/** The initials' strokes as pixel-space segments, centred in the square. */
function layOut(initials: string): Segment[] {
  const glyphs = [...initials].map((letter) => flatten(GLYPHS[letter]!))
  const bounds = glyphs.map((segments) => {
    const xs = segments.flatMap(([x1, , x2]) => [x1, x2])
    return { min: Math.min(...xs) - PEN, max: Math.max(...xs) + PEN }
  })
  const width =
    bounds.reduce((total, bound) => total + bound.max - bound.min, 0) +
    LETTER_SPACING * (glyphs.length - 1)
  const scale = CAP_HEIGHT / 100
  const top = (PHOTO_SIZE - CAP_HEIGHT) / 2
  let pen = (PHOTO_SIZE - width * scale) / 2
  const placed: Segment[] = []
  glyphs.forEach((segments, index) => {
    const shift = pen - bounds[index]!.min * scale
    for (const [x1, y1, x2, y2] of segments)
      placed.push([shift + x1 * scale, top + y1 * scale, shift + x2 * scale, top + y2 * scale])
    pen += (bounds[index]!.max - bounds[index]!.min + LETTER_SPACING) * scale
  })
  return placed
}

/** Polylines as they are; arcs as 4-degree chords (well under a pixel from the true curve at this size). */
function flatten(strokes: Stroke[]): Segment[] {
  const segments: Segment[] = []
  for (const stroke of strokes) {
    const points = 'line' in stroke ? stroke.line : arcPoints(...stroke.arc)
    if (points.length === 1) points.push(points[0]!)
    for (let i = 1; i < points.length; i++) segments.push([...points[i - 1]!, ...points[i]!])
  }
  return segments
}

function arcPoints(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  from: number,
  to: number,
): [number, number][] {
  const steps = Math.max(1, Math.ceil(Math.abs(to - from) / 4))
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)]
  })
}

function distance(segments: readonly Segment[], x: number, y: number): number {
  let best = Infinity
  for (const [x1, y1, x2, y2] of segments) {
    const dx = x2 - x1
    const dy = y2 - y1
    const length = dx * dx + dy * dy
    const t = length === 0 ? 0 : Math.min(1, Math.max(0, ((x - x1) * dx + (y - y1) * dy) / length))
    const ex = x1 + t * dx - x
    const ey = y1 + t * dy - y
    best = Math.min(best, ex * ex + ey * ey)
  }
  return Math.sqrt(best)
}

function png(scanlines: Buffer): Uint8Array {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(PHOTO_SIZE, 0)
  header.writeUInt32BE(PHOTO_SIZE, 4)
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
