/**
 * createPrecomputedDocuments: the discovery documents and the JWKS as the bytes they are sent as, made the first time
 * a key (base URL, tenant, issuer) is asked and kept with their ETag; sendPrecomputed answers with them (or 304).
 *
 * Why: these answers are the same for every request with the same inputs, yet each request built an object of some
 * thirty fields and serialised it; clients ask for them at every start and resource APIs on every key lookup. What is
 * kept is exactly what the builder returned, serialised once: a field a builder adds is in the bytes with no change
 * here. The key is the caller's to give and must name every input of its builder: the base URL as the request sees it
 * (the public URL known only once listen() ran; the Host in real-hostname mode), the tenant segment, the issuer. A
 * `version` (the JWKS passes the signer in use) makes an answer be made anew when it changes: rotated keys are
 * published by the next request.
 */
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** An answer ready to send: its JSON as UTF-8 bytes, and their entity tag. */
export interface Precomputed {
  body: Buffer
  etag: string
}

export interface PrecomputedDocuments {
  /** The answer for `key`, made by `build` the first time, and again when `version` is not the one it was made with. */
  get(key: string, version: unknown, build: () => unknown): Precomputed
}

/** `limit` answers at most (the keys are few: tenants × hosts); past it, all are made anew as asked. */
export function createPrecomputedDocuments(limit = 256): PrecomputedDocuments {
  const kept = new Map<string, Precomputed & { version: unknown }>()
  return {
    get(key, version, build) {
      const found = kept.get(key)
      if (found && found.version === version) return found
      if (kept.size >= limit) kept.clear()
      const body = Buffer.from(JSON.stringify(build()))
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
      const made = { body, etag, version }
      kept.set(key, made)
      return made
    },
  }
}

/** Sends the bytes as JSON with their ETag, or 304 when the client already holds them (If-None-Match). */
export function sendPrecomputed(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: Precomputed,
): FastifyReply {
  reply.header('etag', answer.etag)
  const held = request.headers['if-none-match']
  if (held !== undefined && matches(held, answer.etag)) return reply.code(304).send()
  return reply.header('content-type', 'application/json; charset=utf-8').send(answer.body)
}

/** If-None-Match's weak comparison (RFC 9110 §13.1.2): a list of tags, W/ ignored, or `*`. */
function matches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}
