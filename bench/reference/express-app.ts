/**
 * The Microsoft Node sample's stack as a reference: Express 5 + express-session (MemoryStore) + hbs views,
 * middleware in the sample's order, a session shaped like the one its AuthProvider leaves after sign-in.
 */
import express from 'express'
import type { Request, Response } from 'express'
import session from 'express-session'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { runSubject } from '../lib/subject-child.ts'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const token = (bytes: number) => randomBytes(bytes).toString('base64url')

runSubject(async ([targetBytes]) => {
  const app = express()
  const warn = console.warn
  console.warn = () => undefined // express-session's MemoryStore warning: known, and the sample's choice
  app.use(
    session({
      secret: token(32),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, secure: false },
    }),
  )
  console.warn = warn
  app.set('views', here('./views'))
  app.set('view engine', 'hbs')
  app.use(express.json())
  app.use(express.urlencoded({ extended: false }))
  app.use(express.static(here('./public')))
  let padding = ''
  app.get('/', (request: Request, response: Response) => {
    const account = request.session.account as { username: string; name: string } | undefined
    response.render('index', {
      title: 'Graph Connect',
      isAuthenticated: request.session.isAuthenticated,
      name: account?.name,
      username: account?.username,
      csrfToken: request.session.csrfToken,
      padding,
    })
  })
  // What the sample's handleRedirect stores once the code is redeemed (sizes of real tokens).
  app.get('/_bench/sign-in', (request: Request, response: Response) => {
    Object.assign(request.session, signedInSession())
    response.redirect('/')
  })
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  server.keepAliveTimeout = 72_000
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  padding = await padTo(url, Number(targetBytes) || 0)
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
})

function signedInSession() {
  const account = {
    homeAccountId: `${crypto.randomUUID()}.${crypto.randomUUID()}`,
    environment: 'login.microsoftonline.com',
    tenantId: crypto.randomUUID(),
    username: 'adele@contoso.test',
    localAccountId: crypto.randomUUID(),
    name: 'Adele Vance',
    idTokenClaims: {
      aud: crypto.randomUUID(),
      iss: 'https://login.microsoftonline.com/v2.0',
      name: 'Adele Vance',
    },
  }
  return {
    pkceCodes: { challengeMethod: 'S256', verifier: token(32), challenge: token(32) },
    authCodeRequest: {
      redirectUri: 'http://127.0.0.1:8000/connect/get_token/',
      scopes: ['Mail.Send'],
    },
    tokenCache: JSON.stringify({
      AccessToken: token(1200),
      IdToken: token(900),
      RefreshToken: token(700),
      Account: account,
    }),
    idToken: token(900),
    account,
    isAuthenticated: true,
    csrfToken: token(24),
  }
}

/** Pads the rendered page with an HTML comment so that it has the Connect app's page size. */
async function padTo(url: string, targetBytes: number): Promise<string> {
  const signIn = await fetch(`${url}/_bench/sign-in`, { redirect: 'manual' })
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]
  const page = await fetch(`${url}/`, { headers: { cookie } })
  const missing = targetBytes - Buffer.byteLength(await page.text())
  return missing > 8 ? `<!--${'.'.repeat(missing - 8)}-->\n` : ''
}
