/** `keptSecret`: a random secret made at the first start and kept in a file that only its owner can read. */
import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ownerOnlyFile, ownerOnlyFolder } from './owner-only.ts'

/** The secret in `file`, made there (32 random bytes, base64url) if absent; throws when it cannot be read or made. */
export function keptSecret(file: string): string {
  ownerOnlyFolder(dirname(file))
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 })
  try {
    linkSync(draft, file) // atomic: of two processes starting at once, one secret wins and both read it whole
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    unlinkSync(draft)
  }
  ownerOnlyFile(file)
  const secret = readFileSync(file, 'utf8').trim()
  if (secret.length < 32)
    throw new Error(`it holds ${secret.length} characters where at least 32 are needed`)
  return secret
}
