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
  /** A Global Administrator: the consent page lets them consent for the whole organization. */
  isAdmin: boolean
}
export interface App {
  clientId: string
  displayName: string
  tenantId: string
  secrets: AppSecret[]
  certificates: AppCertificate[]
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  /**
   * The registration's configured Microsoft Graph permissions ("API permissions", requiredResourceAccess), by name:
   * what `.default` asks the user to consent to, and what admin consent grants.
   */
  requiredPermissions: RequiredPermissions
  /** Application permissions granted (admin consent given), e.g. Mail.Send: the roles of client-credentials tokens. */
  appRoles: string[]
}
export interface RequiredPermissions {
  /** Delegated permissions (Entra: type Scope). */
  delegated: string[]
  /** Application permissions (Entra: type Role). */
  application: string[]
}
/** One entry of an Entra manifest's requiredResourceAccess; Graph's is resourceAppId 00000003-0000-0000-c000-000000000000. */
export interface RequiredResourceAccess {
  resourceAppId: string
  /** `id`: the permission's GUID, as a manifest has it; or `value`: its name. */
  resourceAccess: { id?: string; value?: string; type: 'Scope' | 'Role' }[]
}
/** A user to add: the rest is completed from the UPN (names, mail, id). */
export type NewUser = Partial<User> & { userPrincipalName: string; password: string }
/**
 * An app to add; PEM certificates become thumbprints and a public key. Configured permissions by name
 * (`requiredPermissions`) and/or as a manifest's `requiredResourceAccess`; without either, User.Read (delegated) and
 * the granted `appRoles` (application), as a new registration in Entra's portal.
 */
export type NewApp = Omit<Partial<App>, 'requiredPermissions'> & {
  clientId: string
  certificatePems?: string[]
  requiredPermissions?: Partial<RequiredPermissions>
  requiredResourceAccess?: RequiredResourceAccess[]
}
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
