/**
 * GET /_emulator/mark and /_emulator/journal: what the emulator received, since a mark (`path`: an RE2 pattern), and
 * how many entries after the mark were dropped to keep the journal within its budget of bytes (`dropped`).
 */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { ControlError } from './control-error.ts'
import { compilePathPattern } from './path-pattern.ts'

export function journalRoutes(app: FastifyInstance, { journal }: EmulatorContext): void {
  app.get('/mark', async () => ({ seq: journal.mark() }))

  app.get<{ Querystring: { since?: string; method?: string; path?: string } }>(
    '/journal',
    async (request) => {
      const { query } = request
      const since = Number(query.since ?? 0)
      if (!Number.isInteger(since) || since < 0)
        throw new ControlError(
          400,
          'InvalidSince',
          'since must be a sequence number from /_emulator/mark.',
        )
      const path = query.path
        ? await compilePathPattern(query.path, 'path', 'InvalidPath')
        : undefined
      const { entries, dropped } = journal.read(since, { method: query.method, path })
      return { entries, next: Math.max(since, journal.mark()), dropped }
    },
  )
}
