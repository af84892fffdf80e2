/** A loopback TCP proxy in front of Redis that a test can cut, black-hole, or trip on a byte pattern (a read error). */
import { createServer, connect, type Socket } from 'node:net'

export type ProxyMode = 'pass' | 'refuse' | 'blackhole'

export interface TcpProxy {
  port: number
  url: string
  /** pass: forward; refuse: drop every connection (Redis "down"); blackhole: accept and never answer (Redis hung). */
  setMode(mode: ProxyMode): void
  /** The next `times` client writes containing `pattern` kill their connection instead of reaching Redis. */
  failWhen(pattern: string, times?: number): void
  /** How many connections were killed by failWhen. */
  readonly tripped: number
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass'
  const pairs = new Set<{ client: Socket; upstream: Socket }>()
  const triggers: { pattern: Buffer; remaining: number }[] = []
  let tripped = 0

  const server = createServer((client) => {
    client.on('error', () => {})
    if (mode === 'refuse') return void client.destroy()
    const upstream = connect(target.port, target.host)
    upstream.on('error', () => client.destroy())
    const pair = { client, upstream }
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', drop)
    upstream.on('close', drop)
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return
      const trigger = triggers.find((candidate) => candidate.remaining > 0 && chunk.includes(candidate.pattern))
      if (trigger) {
        trigger.remaining--
        tripped++
        return drop()
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (mode !== 'blackhole') client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setMode(next) {
      mode = next
      if (next !== 'pass') for (const pair of [...pairs]) if (next === 'refuse') (pair.client.destroy(), pair.upstream.destroy())
    },
    failWhen(pattern, times = 1) {
      triggers.push({ pattern: Buffer.from(pattern), remaining: times })
    },
    get tripped() {
      return tripped
    },
    async close() {
      for (const pair of pairs) (pair.client.destroy(), pair.upstream.destroy())
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
