/** `staticFilesPlugin`: the app's CSS, script and icon, read once at build and served from memory. */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname } from 'node:path'
import type { FastifyInstance } from 'fastify'

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

export interface StaticFilesOptions {
  /** The folder whose files are served (not its subfolders). */
  folder: URL
  /** The URL path they are served under, e.g. /static/. */
  prefix: string
  /** How long browsers may reuse a file without asking (Cache-Control: public). */
  maxAgeSeconds: number
}

/**
 * Every file of `folder` with a known type, under `prefix`, with a strong ETag (304 on If-None-Match) and public
 * caching. Three small files need no file-system streaming: leaving @fastify/static out keeps its modules out of
 * every start.
 */
export function staticFilesPlugin(app: FastifyInstance, options: StaticFilesOptions): void {
  for (const name of readdirSync(options.folder)) {
    const type = TYPES[extname(name)]
    if (!type) continue
    const body = readFileSync(new URL(name, options.folder))
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
    const cacheControl = `public, max-age=${options.maxAgeSeconds}`
    app.get(`${options.prefix}${name}`, function staticFile(request, reply) {
      reply.header('cache-control', cacheControl).header('etag', etag)
      const known = request.headers['if-none-match']
      if (known && known.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))
        return reply.code(304).send()
      return reply.type(type).send(body)
    })
  }
}
