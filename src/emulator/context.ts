/** EmulatorContext: the emulator's state, made once by buildEmulator (createContext) and passed to every plugin. */
import type { DatabaseSync } from 'node:sqlite'
import type { FastifyRequest } from 'fastify'
import { createFaults, type Faults } from './control/faults.ts'
import { createJournal, type Journal } from './control/journal.ts'
import { createMailEvents, type MailEvents } from './graph/mail-events.ts'
import { createMailStore, type MailStore } from './graph/mail-store.ts'
import { createThrottle, type Throttle } from './graph/throttle.ts'
import { createIdentityStore, type IdentityStore } from './identity/identity-store.ts'
import { createJwtSigner, type JwtSigner } from './identity/jwt-signer.ts'
import { createRevocations } from './identity/revocations.ts'
import { loadSigningKeys } from './identity/signing-keys.ts'
import type { ResolvedOptions } from './options.ts'
import { openDatabase } from './state/db.ts'
import { demoFixture, type DemoFixture } from './state/demo-fixture.ts'
import { createDirectory, type Directory } from './state/directory.ts'
import { realHostBase } from './tls/real-hosts.ts'

export interface EmulatorContext {
  options: ResolvedOptions
  /** The SQLite database every store below keeps its tables in. */
  db: DatabaseSync
  /** The shipped demo tenant, app and users, as the control API hands them out. */
  demo: DemoFixture
  /** The tenant, its users and app registrations, consents. */
  directory: Directory
  /** In-flight sign-ins, SSO sessions, codes, refresh tokens, device codes, revocations. */
  identity: IdentityStore
  /** Signs id and access tokens, verifies access tokens for Graph, keeps revocations. */
  signer: JwtSigner
  /** Mailboxes: messages, attachments, upload sessions. */
  mail: MailStore
  /** Every committed change to the mailboxes (GET /_emulator/events, the viewer's live updates). */
  mailEvents: MailEvents
  /** Outlook's per-mailbox limits. */
  throttle: Throttle
  /** Every request received, readable since a mark. */
  journal: Journal
  /** Scripted faults waiting for a matching request. */
  faults: Faults
  /** Base URL without trailing slash, e.g. http://localhost:8001 (options.publicUrl, else the listening URL). */
  publicUrl(): string
  /**
   * The context as seen by one request: itself, except over TLS on a real Microsoft hostname (real-hostname mode),
   * where publicUrl() is `https://<that host>` so issuers and endpoints carry the name the client used.
   */
  forRequest(request: FastifyRequest): EmulatorContext
  /** POST /_emulator/reset: directory back to its fixtures, every other part emptied. */
  reset(): void
}

/** Opens the database and makes every part of the state; `listeningUrl` is known once the server listens. */
export function createContext(
  options: ResolvedOptions,
  listeningUrl: () => string,
): EmulatorContext {
  const db = openDatabase(options.dataDir)
  const directory = createDirectory(db, options.fixturesFile)
  const identity = createIdentityStore(db)
  const revocations = createRevocations({
    put: (uti, keepSeconds) => identity.put('revoked-at', uti, true, keepSeconds),
    load: () => identity.ids('revoked-at'),
  })
  const signer = createJwtSigner(loadSigningKeys(options.dataDir), revocations)
  const mailEvents = createMailEvents()
  const context: EmulatorContext = {
    options,
    db,
    demo: demoFixture(),
    directory,
    identity,
    signer,
    mail: createMailStore(db, mailEvents.emit),
    mailEvents,
    throttle: createThrottle(options.throttling),
    journal: createJournal(),
    faults: createFaults(),
    publicUrl: () =>
      (options.publicUrl ?? (listeningUrl() || 'http://localhost')).replace(/\/+$/, ''),
    forRequest(request) {
      const base = realHostBase(request)
      return base === undefined ? context : { ...context, publicUrl: () => base }
    },
    reset() {
      directory.reset()
      identity.clear()
      signer.forget()
      context.mail.clear()
      context.throttle.reset()
      context.journal.clear()
      context.faults.clear()
    },
  }
  return context
}
