// Test helpers for the Graph side: an in-memory emulator and access tokens minted with the emulator's own key.
import type { LightMyRequestResponse } from 'fastify'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/app.ts'
import type { AccessTokenClaims } from '../../src/emulator/identity/jwt-signer.ts'

export interface TokenShape {
  user?: string // UPN of a demo user (delegated); default adele@contoso.test
  scp?: string // delegated scopes; default 'User.Read Mail.Send Mail.ReadWrite'
  roles?: string[] // app-only token when given
  aud?: string
  expiresIn?: number // seconds; negative for an expired token
}

export async function testEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return buildEmulator({ throttling: false, logger: false, ...options })
}

export function mintToken(emulator: Emulator, shape: TokenShape = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const { tenantId, clientId } = emulator.demo
  const base = {
    aud: shape.aud ?? 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${tenantId}/`,
    tid: tenantId,
    appid: clientId,
    iat: now,
    exp: now + (shape.expiresIn ?? 3600),
    ver: '1.0',
  }
  if (shape.roles) {
    return emulator.context.signer.signAccessToken({
      ...base,
      idtyp: 'app',
      oid: crypto.randomUUID(),
      roles: shape.roles,
    } as AccessTokenClaims)
  }
  const user = emulator.context.directory.findUser(shape.user ?? 'adele@contoso.test')!
  return emulator.context.signer.signAccessToken({
    ...base,
    idtyp: 'user',
    oid: user.id,
    upn: user.userPrincipalName,
    scp: shape.scp ?? 'User.Read Mail.Send Mail.ReadWrite',
  } as AccessTokenClaims)
}

/** inject() with a bearer token and a JSON body. */
export function call(
  emulator: Emulator,
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return emulator.fastify.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    payload:
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** The seed's request body: PascalCase property names, SaveToSentItems as a string. */
export function seedMail(
  to: string[],
  subject = 'Welcome to Office 365 development with Python and the Office 365 Connect sample',
) {
  return {
    Message: {
      Subject: subject,
      Body: {
        ContentType: 'HTML',
        Content:
          '<html><body><h2>Congratulations!</h2><p>This is a message from the Connect sample.</p></body></html>',
      },
      ToRecipients: to.map((address) => ({ EmailAddress: { Address: address } })),
    },
    SaveToSentItems: 'true',
  }
}

/** Messages of a mailbox through the control API. */
export async function mailbox(
  emulator: Emulator,
  upn: string,
  folder?: string,
): Promise<Record<string, unknown>[]> {
  const response = await emulator.fastify.inject(
    `/_emulator/mailboxes/${encodeURIComponent(upn)}/messages${folder ? `?folder=${folder}` : ''}`,
  )
  return (response.json() as { value: Record<string, unknown>[] }).value
}

/** A fresh in-memory emulator and a token for the default demo user (adele). */
export async function graphFixture(
  options: EmulatorOptions = {},
): Promise<{ emulator: Emulator; token: string }> {
  const emulator = await testEmulator(options)
  return { emulator, token: mintToken(emulator) }
}
