/** The emulator's public entry point: buildEmulator, the typed EmulatorClient, and the types they speak. */
export { buildEmulator, type Emulator, type EmulatorOptions } from './app.ts'
export {
  EmulatorClient,
  EmulatorControlError,
  type AdminConsent,
  type Consent,
  type ConsentGrant,
  type UserConsent,
  type EmulatorClientOptions,
  type JournalFilter,
  type RefreshTokenFilter,
} from './client.ts'
export type { FaultAction, FaultMatch, FaultSpec, ScriptedFault } from './control/faults.ts'
export type { JournalEntry, RequestHeaders } from './control/journal.ts'
export type { FolderCount, MailboxMessage, MailboxSummary } from './control/mailbox-routes.ts'
export type { AccessTokenShape } from './control/token-routes.ts'
export type { MailEvent } from './graph/mail-events.ts'
export type { FileAttachment, GraphMessage } from './graph/message-views.ts'
export type { EmailAddress, MessageBody, Recipient } from './graph/message-model.ts'
export type { ThrottleLimits, ThrottleSetting } from './graph/throttle.ts'
export type { AccessTokenClaims, IdTokenShape } from './identity/jwt-signer.ts'
export type { DemoFixture, DemoUser } from './state/demo-fixture.ts'
export type {
  App,
  NewApp,
  NewUser,
  RequiredPermissions,
  RequiredResourceAccess,
  Tenant,
  User,
} from './state/directory.ts'
