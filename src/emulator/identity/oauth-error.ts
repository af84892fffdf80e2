/** Protocol errors in Entra's wire format (AADSTS codes): one class, one catalogue, one body builder. */
export class OAuthError extends Error {
  readonly status: number
  readonly error: string
  readonly code: number
  readonly text: string
  readonly suberror: string | undefined
  constructor(status: number, error: string, code: number, text: string, suberror?: string) {
    super(`AADSTS${code}: ${text}`)
    this.name = 'OAuthError'
    this.status = status
    this.error = error
    this.code = code
    this.text = text
    this.suberror = suberror
  }
}

const e = (status: number, error: string, code: number, text: string, suberror?: string) =>
  new OAuthError(status, error, code, text, suberror)

/** The AADSTS catalogue (texts as Entra words them; see research protocol-spec §A4). */
export const aadsts = {
  missingParameter: (name: string) =>
    e(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  malformed: () =>
    e(400, 'invalid_request', 9002313, 'Invalid request. Request is malformed or invalid.'),
  invalidCode: () =>
    e(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  tenantNotFound: (tenant: string) =>
    e(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  tenantRequired: () =>
    e(
      400,
      'invalid_request',
      9001023,
      "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
    ),
  unknownClient: (clientId: string, tenant: string) =>
    e(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  redirectMismatch: (uri: string, clientId: string) =>
    e(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    ),
  noReplyUrl: (clientId: string) =>
    e(
      400,
      'invalid_request',
      500113,
      `No reply address is registered for the application '${clientId}'.`,
    ),
  unsupportedResponseType: () =>
    e(
      400,
      'unsupported_response_type',
      700054,
      "response_type 'id_token' is not enabled for the application.",
    ),
  unsupportedResponseMode: (mode: string) =>
    e(
      400,
      'invalid_request',
      900144,
      `The provided value '${mode}' for the input parameter 'response_mode' is not valid.`,
    ),
  badSecret: (clientId: string) =>
    e(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  expiredSecret: (clientId: string) =>
    e(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds`,
    ),
  noCredential: () =>
    e(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  badAssertionSignature: () =>
    e(401, 'invalid_client', 700027, 'Client assertion failed signature validation.'),
  badAssertion: (why: string) =>
    e(401, 'invalid_client', 700027, `Client assertion contains an invalid signature. ${why}`),
  unknownCertificate: (thumbprint: string, clientId: string) =>
    e(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
    ),
  assertionAudience: (aud: string) =>
    e(
      401,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${aud}'.`,
    ),
  assertionExpired: () =>
    e(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.'),
  assertionIssuer: () =>
    e(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter.",
    ),
  codeRedeemed: () =>
    e(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  codeExpired: () =>
    e(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  codeOtherClient: () =>
    e(
      400,
      'invalid_grant',
      70000,
      "The provided value for the input parameter 'code' is not valid. The code was issued to a different client.",
    ),
  codeOtherTenant: () =>
    e(
      400,
      'invalid_grant',
      700005,
      'Provided Authorization Code is intended to use against other tenant, thus rejected.',
    ),
  replyMismatch: (given: string, original: string) =>
    e(
      400,
      'invalid_grant',
      500112,
      `The reply address '${given}' does not match the reply address '${original}' provided when requesting Authorization code.`,
    ),
  pkceMismatch: () =>
    e(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  pkceUnexpected: () =>
    e(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request. (A code_verifier was sent but no code_challenge was supplied.)',
    ),
  pkcePlainRefused: () =>
    e(
      400,
      'invalid_request',
      50033,
      "The code_challenge_method 'plain' is not allowed. Use 'S256'.",
    ),
  invalidRefreshToken: () =>
    e(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  refreshTokenExpired: (issuedAt: string) =>
    e(
      400,
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${issuedAt} and was inactive for 90.00:00:00.`,
      'bad_token',
    ),
  refreshTokenRevoked: () =>
    e(
      400,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    ),
  invalidScope: (scope: string) =>
    e(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  unknownScope: (scope: string, appName: string) =>
    e(
      400,
      'invalid_client',
      650053,
      `The application '${appName}' asked for scope '${scope}' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor.`,
    ),
  adminConsentRequired: () =>
    e(403, 'access_denied', 90094, 'The grant requires admin permission.'),
  ccScopeNotDefault: (scope: string) =>
    e(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  consentRequired: (clientId: string, name: string) =>
    e(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    ),
  badCredentials: () =>
    e(
      400,
      'invalid_grant',
      50126,
      'Error validating credentials due to invalid username or password.',
    ),
  unknownUser: (name: string) =>
    e(
      400,
      'invalid_grant',
      50034,
      `The user account ${name} does not exist in the directory. To sign into this application, the account must be added to the directory.`,
    ),
  unsupportedGrant: (grant: string) =>
    e(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
    ),
  authorizationPending: () =>
    e(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    ),
  deviceCodeExpired: () => e(400, 'expired_token', 70019, 'Verification code expired.'),
  deviceCodeDeclined: () =>
    e(400, 'authorization_declined', 70000, 'The user has declined to authorize the device.'),
  badDeviceCode: () => e(400, 'bad_verification_code', 70000, 'Device code is invalid.'),
  userDeclined: () => e(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
  loginRequired: () =>
    e(
      400,
      'login_required',
      50058,
      "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD.",
    ),
  consentRequiredSilently: (clientId: string, name: string) =>
    e(
      400,
      'consent_required',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`,
    ),
  interactionRequired: () =>
    e(
      400,
      'interaction_required',
      16000,
      'Either multiple user identities are available for the current request or selected account is not supported for the scenario.',
    ),
}

export interface ErrorIds {
  traceId: string
  correlationId: string
  now: Date
}

export function newErrorIds(correlationId?: string): ErrorIds {
  return {
    traceId: crypto.randomUUID(),
    correlationId: correlationId || crypto.randomUUID(),
    now: new Date(),
  }
}

/** `2021-03-04 01:10:05Z`, as Entra prints timestamps. */
export function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`
}

export function errorDescription(error: OAuthError, ids: ErrorIds): string {
  return `${error.message}\r\nTrace ID: ${ids.traceId}\r\nCorrelation ID: ${ids.correlationId}\r\nTimestamp: ${entraTimestamp(ids.now)}`
}

export const errorUri = (code: number) => `https://login.microsoftonline.com/error?code=${code}`

/** The JSON body of a token-endpoint error. */
export function errorJson(error: OAuthError, ids: ErrorIds): Record<string, unknown> {
  return {
    error: error.error,
    error_description: errorDescription(error, ids),
    ...(error.suberror ? { suberror: error.suberror } : {}),
    error_codes: [error.code],
    timestamp: entraTimestamp(ids.now),
    trace_id: ids.traceId,
    correlation_id: ids.correlationId,
    error_uri: errorUri(error.code),
  }
}
