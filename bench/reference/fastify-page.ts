/** Fastify's floor: the same page sent from one route, no session, no template. */
import Fastify from 'fastify'
import { readFile } from 'node:fs/promises'
import { runSubject } from '../lib/subject-child.ts'

runSubject(async ([pageFile]) => {
  const page = await readFile(pageFile)
  const app = Fastify({ logger: false })
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, info: { bytes: page.length }, close: () => app.close() }
})
