// buildEmulator(options): the offline Microsoft identity platform + Graph mail emulator, as a Fastify app (no listen).
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import type { EmulatorContext } from './context.ts'
import { certificateFromPem, createDirectory, DEMO_FIXTURES } from './state/directory.ts'
import { loadFixtures } from './state/fixtures.ts'
import { normalizeGraphUrl } from './graph/graph-path-case.ts'
import { identityControlRoutes } from './control/identity-control-routes.ts'
import { loadSigningKeys } from './identity/signing-keys.ts'
import { identityRoutes } from './identity/routes.ts'
import { createIdentityStore } from './identity/identity-store.ts'
import { createTokens } from './identity/jwt-signer.ts'
import { resolveOptions, type EmulatorOptions } from './options.ts'
import { openDatabase } from './state/db.ts'
import { realHostBase, routeByHost } from './tls/real-hosts.ts'

export type { EmulatorOptions } from './options.ts'

export interface DemoFixture {
  tenantId: string
  tenantDomain: string
  clientId: string
  clientSecret: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  certificate: {
    thumbprintSha1: string
    thumbprintSha256: string
    privateKeyPem: string
    certificatePem: string
  }
  users: { id: string; displayName: string; userPrincipalName: string; password: string }[]
}

export interface Emulator {
  fastify: FastifyInstance
  context: EmulatorContext
  /** Set by listen(); e.g. http://localhost:41234 (https:// with options.tls). */
  url: string
  demo: DemoFixture
  listen(options?: { port?: number; host?: string }): Promise<string>
  close(): Promise<void>
}

export async function buildEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(options)
  const db = openDatabase(resolved.dataDir)
  const directory = createDirectory(db, resolved.fixturesFile)
  const identityStore = createIdentityStore(db)
  const tokens = createTokens(loadSigningKeys(resolved.dataDir), {
    revocations: {
      put: (uti, keepSeconds) => identityStore.put('revoked-at', uti, true, keepSeconds),
      load: () => identityStore.ids('revoked-at'),
    },
  })
  const resetHooks: (() => void)[] = [
    () => {
      identityStore.clear()
      tokens.forgetRevocations()
    },
  ]
  let listeningUrl = ''
  const context: EmulatorContext = {
    db,
    directory,
    tokens,
    options: resolved,
    publicUrl: () =>
      (resolved.publicUrl ?? (listeningUrl || 'http://localhost')).replace(/\/+$/, ''),
    forRequest(request) {
      const base = realHostBase(request)
      return base === undefined ? context : { ...context, publicUrl: () => base }
    },
    onReset: (hook) => void resetHooks.push(hook),
    reset() {
      directory.reset()
      for (const hook of resetHooks) hook()
    },
  }

  const fastify = Fastify({
    // No automatic HEAD twin for every GET: Graph documents GET, POST, PUT, PATCH and DELETE only, no client of the
    // identity platform sends HEAD, and the 70-odd twins cost ~25 ms of every embedded cold start. HEAD is an
    // unknown route (Graph's 400 BadRequest; the identity and inbox pages' 404).
    exposeHeadRoutes: false,
    logger: resolved.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    rewriteUrl: (request) => normalizeGraphUrl(request.url ?? '/'), // Graph keywords match in any case; ids keep theirs
    ...(resolved.tls ? { https: { cert: resolved.tls.cert, key: resolved.tls.key } } : {}),
  })
  fastify.addHook('onClose', async () => db.close())
  if (resolved.tls) routeByHost(fastify) // real-hostname mode: login.microsoftonline.com vs graph.microsoft.com

  // ─── Graph side (owned by the Graph engineer): register here, before the identity routes ───────────────────
  const { installJournalAndFaults } = await import('./control/journal-hooks.ts')
  const { controlRoutes } = await import('./control/control-routes.ts')
  const { graphRoutes } = await import('./graph/routes.ts')
  installJournalAndFaults(fastify, context) // root hooks: journal + scripted faults on every route (identity included)
  await fastify.register((scope) => controlRoutes(scope, context)) // /_emulator/*
  await fastify.register((scope) => graphRoutes(scope, context)) // /v1.0, /beta, upload-session URLs
  const { inboxRoutes } = await import('./inbox/routes.ts')
  await fastify.register((scope) => inboxRoutes(scope, context)) // inbox viewer at /
  // ─── end of Graph side ─────────────────────────────────────────────────────────────────────────────────────

  await fastify.register((scope) => identityRoutes(scope, context, identityStore))
  await fastify.register((scope) => identityControlRoutes(scope, context, identityStore))

  const emulator: Emulator = {
    fastify,
    context,
    url: '',
    demo: demoFixture(),
    async listen({ port = 8001, host = 'localhost' } = {}) {
      await fastify.listen({ port, host })
      const address = fastify.server.address()
      const actualPort = typeof address === 'object' && address ? address.port : port
      const name =
        host === '127.0.0.1' || host === '::1' ? (host === '::1' ? '[::1]' : host) : 'localhost'
      listeningUrl = `${resolved.tls ? 'https' : 'http'}://${name}:${actualPort}`
      emulator.url = context.publicUrl()
      return emulator.url
    },
    close: () => fastify.close(),
  }
  return emulator
}

function demoFixture(): DemoFixture {
  const fixtures = loadFixtures(DEMO_FIXTURES)
  const app = fixtures.apps[0]!
  const certificatePem = app.certificatePems![0]!
  const { thumbprintSha1, thumbprintSha256 } = certificateFromPem(certificatePem)
  return {
    tenantId: fixtures.tenant!.id,
    tenantDomain: fixtures.tenant!.domain,
    clientId: app.clientId,
    clientSecret: app.secrets![0]!.value,
    redirectUris: app.redirectUris ?? [],
    postLogoutRedirectUris: app.postLogoutRedirectUris ?? [],
    certificate: {
      thumbprintSha1,
      thumbprintSha256,
      certificatePem,
      privateKeyPem: readFileSync(new URL('./fixtures/demo-app-key.pem', import.meta.url), 'utf8'),
    },
    users: fixtures.users.map((user) => ({
      id: user.id!,
      displayName: user.displayName ?? `${user.givenName} ${user.surname}`,
      userPrincipalName: user.userPrincipalName,
      password: user.password,
    })),
  }
}
