/** core: everything the web app and the CLI share. Re-exports only. */
export {
  AppError,
  AuthError,
  ConfigError,
  GraphError,
  MergeError,
  errorCatalogue,
  isAppError,
} from './errors.ts'
export type {
  AuthErrorCode,
  ConfigProblem,
  ErrorCode,
  GraphErrorCode,
  MergeErrorCode,
  WebErrorCode,
} from './errors.ts'

export { configDefaults, loadConfig } from './config.ts'
export type { ClientCredential, Config, LogLevel, StoreConfig } from './config.ts'
export { isLoopbackHost } from './config-parsers.ts'

export { createHttpFetch } from './http-fetch.ts'
export { createLogger, maskSecrets } from './logger.ts'
export type { Logger } from './logger.ts'

export { createStore } from './store/create-store.ts'
export type { Store } from './store/store.ts'

export { createAuth } from './auth/create-auth.ts'
export type { Auth, AuthConfig, AuthDependencies } from './auth/create-auth.ts'
export type { BeginSignInOptions, SignedInUser, SignInRecord } from './auth/sign-in.ts'
export type { TokenExchange, TokenExchangeObserver } from './auth/network-client.ts'
export { loadMsal } from './auth/msal-client.ts'
export type { OpenIdMetadata, ResolvedAuthority } from './auth/authority.ts'
export { mapMsalError, parseAadsts } from './auth/map-msal-error.ts'
export { resolveAuthority } from './auth/authority.ts'
export { createSealer } from './auth/sealer.ts'
export type { Sealer } from './auth/sealer.ts'
export { cliHome, CONNECTION_NAME, createConnectionStore } from './auth/connection-store.ts'
export type {
  ConnectionAccount,
  ConnectionRecord,
  ConnectionStore,
  StoredCredential,
} from './auth/connection-store.ts'
export { cachedTokens, createPublicClient } from './auth/public-client.ts'
export type {
  CacheHolder,
  DeviceCodePrompt,
  InteractiveOptions,
  PublicClient,
  PublicClientOptions,
  SignedIn,
} from './auth/public-client.ts'
export { createAppOnlyClient } from './auth/app-only-client.ts'
export type { AppOnlyClient, AppOnlyClientOptions } from './auth/app-only-client.ts'
export { certificateCredential } from './config-identity.ts'
export { keptSecret } from './kept-secret.ts'
export { ownerOnlyFile, ownerOnlyFolder } from './owner-only.ts'

export { createGraphClient, DEFAULT_ME_SELECT } from './graph/graph-client.ts'
export type {
  GraphCall,
  GraphClient,
  GraphClientOptions,
  MessagePage,
  MessageQuery,
  Photo,
  UploadProgress,
} from './graph/graph-client.ts'
export { graphErrorFromResponse, parseRetryAfter } from './graph/graph-error.ts'

export { mailLimits } from './mail/mail-limits.ts'
export type {
  FieldProblem,
  FieldProblemReason,
  MailAttachment,
  MailField,
  ParsedMail,
  ParseResult,
  UploadedFileLike,
} from './mail/mail.ts'
export {
  allowsLargeAttachments,
  isValidAddress,
  parseSendForm,
  safeFileName,
} from './mail/parse-send-form.ts'
export { composeMessage } from './mail/compose-message.ts'
export { contentTypeOf } from './mail/content-type.ts'
export { escapeHtml } from './mail/escape-html.ts'
export { markdownToHtml } from './mail/markdown-body.ts'
export type { ComposedMessage } from './mail/compose-message.ts'
export { saveParsedDraft, sendParsedMail } from './mail/send-parsed-mail.ts'
export type { MailGraph, SavedDraft, SendOptions, SendOutcome } from './mail/send-parsed-mail.ts'
export { SEND_KEY_PROPERTY, withSendKey } from './mail/send-key.ts'
export { findSent, mayFindSent } from './mail/find-sent.ts'
export type { FindSentOptions, SentLookup } from './mail/find-sent.ts'

export { safeEqual } from './safe-equal.ts'

export { EXCHANGE_LIMITS, FINAL_STATES, ROW_STATES } from './merge/merge-journal.ts'
export type {
  JobState,
  MailboxLimits,
  MergeJob,
  MergeJournal,
  MergeRow,
  MergeTemplate,
  NewJob,
  RowInput,
  RowState,
  SendMode,
} from './merge/merge-journal.ts'
export type { MergeEvent, MergeOutcome } from './merge/merge-events.ts'
export { MERGE_TIMING, runMerge, workerName } from './merge/run-merge.ts'
export type { RunMergeOptions } from './merge/run-merge.ts'
export type { MergeRender, MergeTiming } from './merge/send-row.ts'
export { readMergeRows } from './merge/merge-rows.ts'
export type { ReadRowsOptions } from './merge/merge-rows.ts'
export { rowLabel } from './merge/source-row.ts'
export type { RowsFormat, SourceData, SourceProblem, SourceRow } from './merge/source-row.ts'
export { compileTemplate } from './merge/merge-template.ts'
export type { CompiledTemplate, RenderedMail, TemplateSource } from './merge/merge-template.ts'
export { checkMergeRow } from './merge/merge-row-check.ts'
export type { RowCheck, RowCheckOptions, RowColumns, RowToCheck } from './merge/merge-row-check.ts'
export { dryRunMerge } from './merge/merge-dry-run.ts'
export type { DryRunOptions, DryRunReport, MailPreview } from './merge/merge-dry-run.ts'
export { isPostgresUrl, openMergeJournal } from './merge/open-merge-journal.ts'
export { deleteCancelledDrafts } from './merge/cancelled-drafts.ts'
