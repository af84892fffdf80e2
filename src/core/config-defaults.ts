/** `configDefaults`: the default of every optional setting, with its unit. */

/** Defaults of every optional setting. Secrets never have one. */
export const configDefaults = {
  AUTHORITY: 'https://login.microsoftonline.com/common', // any Entra cloud, or the emulator's URL + tenant
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
  PUBLIC_URL: 'http://127.0.0.1:8000', // the seed's reply URL host, so a registration made by its steps works
  REDIRECT_PATH: '/connect/get_token/', // the seed's reply path
  SCOPES: 'openid profile offline_access User.Read Mail.Send',
  STORE: 'sqlite',
  SQLITE_PATH: 'data/graph-connect.sqlite', // relative to the working directory
  REDIS_KEY_PREFIX: 'graph-connect:',
  HOST: '127.0.0.1',
  PORT: 8000, // used when PUBLIC_URL is not on loopback (behind a proxy)
  FLOW_INSPECTOR: false,
  SESSION_IDLE_MINUTES: 60, // minutes without a request before a session ends
  SESSION_ABSOLUTE_HOURS: 12, // hours after sign-in when a session ends whatever the activity
  SEND_LIMIT_PER_MINUTE: 10, // sends per user per minute
  SIGNIN_LIMIT_PER_MINUTE: 20, // sign-in starts per client IP per minute
  GRAPH_TIMEOUT_MS: 10_000, // 10 seconds per Graph attempt
  GRAPH_RETRY_BUDGET_MS: 15_000, // 15 seconds for all attempts of one Graph call, waits included
  SENT_CHECKS: 3, // lookups of an unconfirmed send's key in Sent Items (needs Mail.Read or Mail.ReadWrite; 0: none)
  SENT_CHECK_BUDGET_MS: 3_000, // 3 seconds for all of them, waits included: the send's request waits no longer
  IDP_TIMEOUT_MS: 10_000, // 10 seconds per request to the identity provider (metadata, keys, token endpoint)
  SHUTDOWN_GRACE_MS: 10_000, // 10 seconds for in-flight requests on SIGTERM
  LOG_LEVEL: 'info',
  NODE_ENV: 'development',
} as const
