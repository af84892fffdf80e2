/** `ownerOnlyFolder` and `ownerOnlyFile`: where sessions, token caches and secrets live, readable by their owner only. */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'

/** Makes the folder (and its parents) if absent, each new one 0700. An existing folder is left as it is. */
export function ownerOnlyFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 })
}

/**
 * Makes the file if absent, 0600; an existing one readable by others (a copy made by an older version, or by hand)
 * is set to 0600. SQLite gives its -wal and -shm files the mode of their database file.
 */
export function ownerOnlyFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600))
  if (statSync(file).mode & 0o077) chmodSync(file, 0o600)
}
