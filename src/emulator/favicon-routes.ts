/** faviconRoutes: the emulator's icon (an envelope with a key), at /favicon.svg and at /favicon.ico where browsers look. */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

const ICON = readFileSync(new URL('./assets/favicon.svg', import.meta.url))

export async function faviconRoutes(app: FastifyInstance): Promise<void> {
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    app.get(url, async (_request, reply) =>
      reply
        .type('image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(ICON),
    )
  }
}
