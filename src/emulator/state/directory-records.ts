/** The directory's records: the tenant, its users and app registrations (a file that imports nothing). */
export interface Tenant {
  id: string
  domain: string
  displayName: string
}
export interface User {
  id: string
  tenantId: string
  displayName: string
  givenName: string
  surname: string
  userPrincipalName: string
  mail: string
  jobTitle: string | null
  officeLocation: string | null
  businessPhones: string[]
  mobilePhone: string | null
  preferredLanguage: string
  password: string
  /** Defaults of the user's mailbox settings (fixtures); unset ones: UTC, and formats of preferredLanguage. */
  mailboxSettings?: { timeZone?: string; dateFormat?: string; timeFormat?: string }
}
export interface App {
  clientId: string
  displayName: string
  tenantId: string
  secrets: AppSecret[]
  certificates: AppCertificate[]
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  /** Application permissions granted, e.g. Mail.Send. */
  appRoles: string[]
}
/** A user to add: the rest is completed from the UPN (names, mail, id). */
export type NewUser = Partial<User> & { userPrincipalName: string; password: string }
/** An app to add; PEM certificates become thumbprints and a public key. */
export type NewApp = Partial<App> & { clientId: string; certificatePems?: string[] }
export interface AppSecret {
  id: string
  value: string
  /** ISO date. */
  expiresAt: string
}
/** A certificate credential: its thumbprints (upper-case hex) and public key. */
export interface AppCertificate {
  thumbprintSha1: string
  thumbprintSha256: string
  publicKeyPem: string
}
