/**
 * Test parts for web's own HTTP tests: the real memory store, config and mail rules, with a scripted auth and Graph in
 * place of core's (the journeys in test/ use the real core against the real emulator).
 */
import { randomBytes } from 'node:crypto'
import { after } from 'node:test'
import { pino } from 'pino'
import {
  AuthError,
  createStore,
  GraphError,
  loadConfig,
  type GraphClient,
  type Store,
} from '../../src/core/index.ts'
import { buildApp, type ConnectApp } from '../../src/web/app.ts'
import type { AuthPort } from '../../src/web/ports.ts'

export interface Script {
  signIns: string[]
  sends: unknown[]
  forgotten: string[]
  sendDelayMs: number
  sendError?: Error
  tokenError?: Error
}

export async function testApp(
  env: Record<string, string> = {},
  options: { store?: Store } = {},
): Promise<{ app: ConnectApp; store: Store; script: Script }> {
  const config = loadConfig({
    CLIENT_ID: 'test-client',
    CLIENT_SECRET: 'CANARY-SECRET-test',
    STORE: 'memory',
    AUTHORITY: 'https://login.example.test/tenant',
    // inject() sends Host: localhost:80; the app answers its PUBLIC_URL's name only (SE-16).
    PUBLIC_URL: 'http://localhost:8000',
    FLOW_INSPECTOR: 'true',
    LOG_LEVEL: 'silent',
    ...env,
  })
  const store = options.store ?? (await createStore({ kind: 'memory' }))
  const script: Script = { signIns: [], sends: [], forgotten: [], sendDelayMs: 0 }
  const app = await buildApp(config, {
    store,
    auth: scriptedAuth(script),
    logger: pino({ level: 'silent' }),
    graphFactory: ({ token }) => scriptedGraph(script, token),
  })
  return { app, store, script }
}

/**
 * Core's sign-in as the script says: codes `rejected`, `badsecret` and `boom` fail as core would. Type-checked against
 * core's Auth (AuthPort is a Pick of it): the fake cannot drift from what core returns.
 */
function scriptedAuth(script: Script): AuthPort {
  return {
    async beginSignIn() {
      const state = randomBytes(16).toString('base64url')
      return {
        url: `https://login.example.test/tenant/oauth2/v2.0/authorize?client_id=test-client&state=${state}&nonce=n`,
        record: { state, nonce: 'n', codeVerifier: 'v', createdAt: Date.now() },
      }
    },
    async completeSignIn(record, query) {
      if (query.error) {
        // as core: an IdP error answer is refused before any redemption
        throw new AuthError('ERR_AUTH_IDP_ERROR', {
          idpError: query.error,
          idpDescription: query.error_description,
          aadsts: Number(query.error_description?.match(/AADSTS(\d+)/)?.[1]) || undefined,
        })
      }
      script.signIns.push(record.state)
      if (query.code === 'rejected')
        throw new AuthError('ERR_AUTH_CODE_REJECTED', { idpError: 'invalid_grant' })
      if (query.code === 'badsecret')
        throw new AuthError('ERR_AUTH_CLIENT_REJECTED', {
          idpError: 'invalid_client',
          aadsts: 7000215,
        })
      if (query.code === 'boom') throw new Error('unexpected at /srv/app/secret.ts:12')
      return {
        homeAccountId: 'oid-adele.tid-1',
        oid: 'oid-adele',
        tid: 'tid-1',
        name: query.name ?? 'Adele Vance',
        username: 'adele@contoso.test',
        email: 'adele@contoso.test',
      }
    },
    async acquireToken() {
      if (script.tokenError) throw script.tokenError
      return 'CANARY-AT-token'
    },
    async forget(partition) {
      script.forgotten.push(partition)
    },
    logoutUrl: () =>
      'https://login.example.test/tenant/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2F',
  }
}

/** Graph as the script says: the photo, and sendMail (delayed, failing or recorded); anything else is not scripted. */
function scriptedGraph(script: Script, token: () => Promise<string>): GraphClient {
  return {
    ...unused,
    async getMyPhoto() {
      await token()
      return { contentType: 'image/png', bytes: new Uint8Array([137, 80, 78, 71]) }
    },
    async sendMail(message: unknown) {
      await token()
      await new Promise((resolve) => setTimeout(resolve, script.sendDelayMs))
      if (script.sendError) throw script.sendError
      script.sends.push(message)
    },
  } satisfies GraphClient
}

/**
 * `testApp` for one test file: every app it starts is closed when that file's tests are done.
 * @example const startApp = closingTestApps() // at the top of the file
 */
export function closingTestApps(): typeof testApp {
  const started: ConnectApp[] = []
  after(() => Promise.all(started.map((app) => app.close())))
  return async (...args) => {
    const parts = await testApp(...args)
    started.push(parts.app)
    return parts
  }
}

export { GraphError, AuthError }
/** The one cookie jar, as web's tests know it (over inject(): `jar.take(response.headers['set-cookie'])`). */
export { CookieJar as Jar } from './cookie-jar.ts'

const notScripted = async () => {
  throw new Error('not scripted in web tests')
}
const unused = {
  getMe: notScripted,
  createDraft: notScripted,
  addAttachment: notScripted,
  createUploadSession: notScripted,
  uploadRange: notScripted,
  sendDraft: notScripted,
  deleteMessage: notScripted,
  listMessages: notScripted,
  listMessagePage: notScripted,
  getMessage: notScripted,
  listAttachments: notScripted,
  findMessagesByProperty: notScripted,
}
