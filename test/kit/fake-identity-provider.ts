/** A tiny scripted OpenID provider on 127.0.0.1:0 for core's auth tests (core may not import the emulator). */
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

export interface FakeUser {
  oid: string
  tid: string
  name: string
  username: string
}
export interface TokenCall {
  form: Record<string, string>
  at: number
}
export interface Scripted {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export class FakeIdentityProvider {
  server!: Server
  base = ''
  readonly tenant = 't1'
  readonly clientId = 'client-1'
  readonly tokenCalls: TokenCall[] = []
  readonly script: Scripted[] = []
  /** What the next code redemption's id_token says (nonce override, aud, iss, signing key). */
  idTokenOverrides: { nonce?: string | null; aud?: string; iss?: string; foreignKey?: boolean } = {}
  expiresIn = 3599
  issuedTokens = 0
  private readonly codes = new Map<string, { user: FakeUser; nonce: string; challenge: string }>()
  private readonly refreshTokens = new Map<string, FakeUser>()
  private key!: CryptoKey
  private foreignKey!: CryptoKey
  private jwk!: JWK

  get authority() {
    return `${this.base}/${this.tenant}`
  }
  get issuer() {
    return `${this.base}/${this.tenant}/v2.0`
  }

  async start(): Promise<this> {
    const pair = await generateKeyPair('RS256')
    this.key = pair.privateKey
    this.foreignKey = (await generateKeyPair('RS256')).privateKey
    this.jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' }
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        void this.handle(request.method!, request.url!, Buffer.concat(chunks).toString()).then(
          ({ status, body, headers }) => {
            response.writeHead(status, { 'content-type': 'application/json', ...headers })
            response.end(typeof body === 'string' ? body : JSON.stringify(body))
          },
        )
      })
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`
    return this
  }

  async stop() {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  /** Simulates the browser at /authorize: the user signs in, the IdP issues a code bound to nonce and challenge. */
  authorize(url: string, user: FakeUser): { code: string; state: string; client_info: string } {
    const params = new URL(url).searchParams
    const code = `code-${randomUUID()}`
    this.codes.set(code, {
      user,
      nonce: params.get('nonce') ?? '',
      challenge: params.get('code_challenge') ?? '',
    })
    return { code, state: params.get('state') ?? '', client_info: clientInfo(user) }
  }

  private async handle(method: string, url: string, body: string): Promise<Scripted> {
    const path = new URL(url, this.base).pathname
    if (path === `/${this.tenant}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          issuer: this.issuer,
          authorization_endpoint: `${this.authority}/oauth2/v2.0/authorize`,
          token_endpoint: `${this.authority}/oauth2/v2.0/token`,
          jwks_uri: `${this.authority}/discovery/v2.0/keys`,
          end_session_endpoint: `${this.authority}/oauth2/v2.0/logout`,
        },
      }
    }
    if (path === `/${this.tenant}/discovery/v2.0/keys`)
      return { status: 200, body: { keys: [this.jwk] } }
    if (method === 'POST' && path === `/${this.tenant}/oauth2/v2.0/token`) {
      const form = Object.fromEntries(new URLSearchParams(body))
      this.tokenCalls.push({ form, at: Date.now() })
      const scripted = this.script.shift()
      if (scripted) return scripted
      return this.token(form)
    }
    return { status: 404, body: { error: 'not_found' } }
  }

  private async token(form: Record<string, string>): Promise<Scripted> {
    if (form.grant_type === 'authorization_code') {
      const grant = this.codes.get(form.code ?? '')
      this.codes.delete(form.code ?? '')
      const verifierOk =
        grant &&
        createHash('sha256')
          .update(form.code_verifier ?? '')
          .digest('base64url') === grant.challenge
      if (!grant || !verifierOk)
        return invalidGrant(
          'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        )
      return { status: 200, body: await this.tokens(grant.user, grant.nonce) }
    }
    if (form.grant_type === 'refresh_token') {
      const user = this.refreshTokens.get(form.refresh_token ?? '')
      if (!user)
        return invalidGrant('AADSTS700082: The refresh token has expired due to inactivity.')
      return { status: 200, body: await this.tokens(user, undefined) }
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }

  private async tokens(user: FakeUser, nonce: string | undefined) {
    const overrides = this.idTokenOverrides
    this.idTokenOverrides = {}
    const claims: Record<string, unknown> = {
      oid: user.oid,
      tid: user.tid,
      sub: `sub-${user.oid}`,
      name: user.name,
      preferred_username: user.username,
      ver: '2.0',
    }
    const tokenNonce = overrides.nonce === null ? undefined : (overrides.nonce ?? nonce)
    if (tokenNonce) claims.nonce = tokenNonce
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(overrides.iss ?? this.issuer)
      .setAudience(overrides.aud ?? this.clientId)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('1h')
      .sign(overrides.foreignKey ? this.foreignKey : this.key)
    const refreshToken = `RT-${user.oid}-${randomUUID()}`
    this.refreshTokens.set(refreshToken, user)
    this.issuedTokens++
    return {
      token_type: 'Bearer',
      scope: 'User.Read Mail.Send openid profile offline_access',
      expires_in: this.expiresIn,
      access_token: `AT-${user.oid}-${this.issuedTokens}`,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: clientInfo(user),
    }
  }
}

export function clientInfo(user: FakeUser): string {
  return Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tid })).toString('base64url')
}

export function invalidGrant(description: string): Scripted {
  const code = Number(/AADSTS(\d+)/.exec(description)?.[1])
  return {
    status: 400,
    body: { error: 'invalid_grant', error_description: description, error_codes: [code] },
  }
}
