// What every emulator route receives: state, directory, token signer, options and the public base URL.
import type { DatabaseSync } from 'node:sqlite'
import type { FastifyRequest } from 'fastify'
import type { Directory } from './state/directory.ts'
import type { Tokens } from './identity/jwt-signer.ts'
import type { ResolvedOptions } from './options.ts'

export interface EmulatorContext {
  db: DatabaseSync
  directory: Directory
  tokens: Tokens
  options: ResolvedOptions
  /** Base URL without trailing slash, e.g. http://localhost:8001 (options.publicUrl, else the listening URL). */
  publicUrl(): string
  /**
   * The context as seen by one request: itself, except over TLS on a real Microsoft hostname (real-hostname mode),
   * where publicUrl() is `https://<that host>` so issuers and endpoints carry the name the client used.
   */
  forRequest(request: FastifyRequest): EmulatorContext
  /** Registers state to clear on POST /_emulator/reset (each side registers its own tables). */
  onReset(hook: () => void): void
  /** Resets everything: directory back to fixtures, then every onReset hook. */
  reset(): void
}
