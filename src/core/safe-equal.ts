/** `safeEqual`: the one timing-safe string comparison (state, CSRF and form tokens, sign-in cookie hashes). */
import { timingSafeEqual } from 'node:crypto'

/**
 * Compares the UTF-8 bytes in constant time for their length. Bytes, not characters: a non-ASCII value as long as the
 * other in characters is a mismatch, not the RangeError `timingSafeEqual` throws for buffers of different lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
