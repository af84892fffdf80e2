/** safeEqual: compares a secret with what a client sent in constant time (the emulator's one copy). */
import { timingSafeEqual } from 'node:crypto'

/** Compared as UTF-8 bytes, so values of equal length in characters but not in bytes are simply unequal. */
export function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
