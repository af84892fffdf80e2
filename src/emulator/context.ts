// What every emulator route receives: state, directory, token signer, options and the public base URL.
import type { DatabaseSync } from 'node:sqlite'
import type { Directory } from './directory.ts'
import type { Tokens } from './identity/tokens.ts'
import type { ResolvedOptions } from './options.ts'

export interface EmulatorContext {
  db: DatabaseSync
  directory: Directory
  tokens: Tokens
  options: ResolvedOptions
  /** Base URL without trailing slash, e.g. http://localhost:8001 (options.publicUrl, else the listening URL). */
  publicUrl(): string
  /** Registers state to clear on POST /_emulator/reset (each side registers its own tables). */
  onReset(hook: () => void): void
  /** Resets everything: directory back to fixtures, then every onReset hook. */
  reset(): void
}
