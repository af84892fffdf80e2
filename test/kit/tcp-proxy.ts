/** A loopback TCP proxy in front of Redis that a test can cut, black-hole, or trip on a byte pattern (a read error). */
import { createServer, connect, type Socket } from 'node:net'

export type ProxyMode = 'pass' | 'refuse' | 'blackhole'

export interface TcpProxy {
  port: number
  url: string
  /**
   * pass: forward; refuse: drop every connection (Redis "down"); blackhole: hold every byte in both directions (Redis
   * hung, or a partition: TCP loses nothing, so the held bytes flow again on `pass`).
   */
  setMode(mode: ProxyMode): void
  /** The next `times` client writes containing `pattern` kill their connection instead of reaching Redis. */
  failWhen(pattern: string, times?: number): void
  /** How many connections were killed by failWhen. */
  readonly tripped: number
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass'
  const pairs = new Set<{
    client: Socket
    upstream: Socket
    held: { to: Socket; chunk: Buffer }[]
  }>()
  const triggers: { pattern: Buffer; remaining: number }[] = []
  let tripped = 0

  const server = createServer((client) => {
    client.on('error', () => {})
    if (mode === 'refuse') return void client.destroy()
    const upstream = connect(target.port, target.host)
    upstream.on('error', () => client.destroy())
    const pair = { client, upstream, held: [] as { to: Socket; chunk: Buffer }[] }
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', drop)
    upstream.on('close', drop)
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return void pair.held.push({ to: upstream, chunk })
      const trigger = triggers.find(
        (candidate) => candidate.remaining > 0 && chunk.includes(candidate.pattern),
      )
      if (trigger) {
        trigger.remaining--
        tripped++
        return drop()
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') pair.held.push({ to: client, chunk })
      else client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setMode(next) {
      mode = next
      for (const pair of [...pairs]) {
        if (next === 'refuse') {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        if (next === 'pass') for (const { to, chunk } of pair.held.splice(0)) to.write(chunk)
      }
    },
    failWhen(pattern, times = 1) {
      triggers.push({ pattern: Buffer.from(pattern), remaining: times })
    },
    get tripped() {
      return tripped
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
