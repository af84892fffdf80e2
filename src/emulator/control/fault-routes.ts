/** /_emulator/faults: script faults for the next matching requests, list them, clear them. */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { Fault, ScriptedFault } from './faults.ts'

export function faultRoutes(app: FastifyInstance, { faults }: EmulatorContext): void {
  app.get('/faults', async () => ({ faults: faults.list() }))
  app.post('/faults', async (request, reply) =>
    reply.code(201).send(publicFault(await faults.add(request.body))),
  )
  app.delete('/faults', async (_request, reply) => {
    faults.clear()
    return reply.code(204).send()
  })
}

const publicFault = ({ pattern: _pattern, roll: _roll, ...fault }: Fault): ScriptedFault => fault
