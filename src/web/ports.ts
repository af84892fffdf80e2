/**
 * What web needs from core's auth, Graph client and mail modules, as structural types, so web builds against the
 * contract (docs/CONTRACTS.md) while core lands. Core's real objects satisfy these.
 */
export interface SignInRecordLike {
  state: string
}

export interface AuthPort<Record extends SignInRecordLike = SignInRecordLike, User = unknown> {
  beginSignIn(): Promise<{ url: string; record: Record }>
  completeSignIn(record: Record, query: { [name: string]: string }, partition: string): Promise<User>
  acquireToken(partition: string, user: User): Promise<string>
  forget(partition: string): Promise<void>
  logoutUrl(): string
}

export interface Photo {
  contentType: string
  bytes: Uint8Array
}

export interface GraphPort {
  getMyPhoto(): Promise<Photo | null | undefined>
  sendMail(message: never, saveToSentItems: boolean): Promise<unknown>
}

export interface GraphFactoryOptions {
  token: () => Promise<string>
}

export type GraphFactory = (options: GraphFactoryOptions) => GraphPort

export interface UploadedFile {
  name: string
  contentType: string
  bytes: Buffer
}

export type ParsedForm = { ok: true; message: unknown; recipients: string[]; saveToSentItems: boolean } | { ok: false; errors: Record<string, string> }

export interface MailPort {
  parseSendForm(fields: Record<string, string>, files: UploadedFile[], lang: 'en' | 'fr'): ParsedForm
  welcomeMail(name: string, lang: 'en' | 'fr'): { subject: string; body: string }
}
