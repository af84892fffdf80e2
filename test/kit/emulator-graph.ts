/** Test kit for the Graph side: an in-memory emulator, a token for it, Graph calls through inject(), the seed's mail. */
import type { LightMyRequestResponse } from 'fastify'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts'

/** An in-memory emulator without throttling or logs. */
export async function testEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return buildEmulator({ throttling: false, logger: false, ...options })
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

/** A fresh in-memory emulator and a token for its first demo user (Adele). */
export async function graphFixture(
  options: EmulatorOptions = {},
): Promise<{ emulator: Emulator; token: string }> {
  const emulator = await testEmulator(options)
  return { emulator, token: await emulator.client.issueToken() }
}
