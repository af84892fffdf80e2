// Random identifiers from a pooled buffer: one randomFillSync per 64 KiB instead of one per id (sendMail makes several).
import { randomFillSync } from 'node:crypto'

const POOL_SIZE = 64 * 1024
const pool = Buffer.alloc(POOL_SIZE)
let offset = POOL_SIZE

export function randomBase64Url(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const text = pool.toString('base64url', offset, offset + bytes)
  offset += bytes
  return text
}

export function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const text = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return text
}
