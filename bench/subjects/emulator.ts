/**
 * The emulator alone in its own process, throttling off, with per-request service times recorded
 * (from the server's 'request' event to the response's 'finish') for the paths the bench asks about.
 */
import { buildEmulator } from '../../src/emulator/app.ts'
import { runSubject } from '../lib/subject-child.ts'

runSubject(async ([dataDir]) => {
  const emulator = await buildEmulator({
    throttling: false,
    logger: false,
    dataDir: dataDir || undefined,
  })
  const watched: { pattern: RegExp; samples: number[]; statuses: Record<number, number> }[] = []
  emulator.fastify.server.prependListener('request', (request, response) => {
    const entry = watched.find((candidate) =>
      candidate.pattern.test(`${request.method} ${request.url}`),
    )
    if (!entry) return
    const started = process.hrtime.bigint()
    response.once('finish', () => {
      entry.samples.push(Number(process.hrtime.bigint() - started) / 1e6)
      entry.statuses[response.statusCode] = (entry.statuses[response.statusCode] ?? 0) + 1
    })
  })
  const url = await emulator.listen({ port: 0, host: 'localhost' })
  return {
    url,
    info: { demo: { ...emulator.demo, certificate: undefined } },
    methods: {
      /** Starts recording service times (ms) of requests matching `METHOD path` against a regex. */
      watch: (pattern) =>
        void watched.push({ pattern: new RegExp(String(pattern)), samples: [], statuses: {} }),
      /** Returns and clears what was recorded so far, per watched pattern. */
      serviceTimes: () =>
        watched.map((entry) => {
          const taken = { samples: entry.samples.splice(0), statuses: entry.statuses }
          entry.statuses = {}
          return taken
        }),
    },
    close: () => emulator.close(),
  }
})
