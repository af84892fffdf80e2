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

interface Pair {
  client: Socket
  upstream: Socket
  /** Bytes held while black-holed, with where they go once the proxy passes again. */
  held: { to: Socket; chunk: Buffer }[]
}

/** What the proxy's connections share: the mode, the open pairs, the read-error triggers. */
interface ProxyState {
  mode: ProxyMode
  pairs: Set<Pair>
  triggers: { pattern: Buffer; remaining: number }[]
  tripped: number
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const state: ProxyState = { mode: 'pass', pairs: new Set(), triggers: [], tripped: 0 }
  const server = createServer((client) => relay(state, target, client))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setMode: (mode) => setMode(state, mode),
    failWhen(pattern, times = 1) {
      state.triggers.push({ pattern: Buffer.from(pattern), remaining: times })
    },
    get tripped() {
      return state.tripped
    },
    async close() {
      for (const pair of state.pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** One client connection: refused, or relayed to the target (held while black-holed, cut on a trigger). */
function relay(state: ProxyState, target: { host: string; port: number }, client: Socket): void {
  client.on('error', () => {})
  if (state.mode === 'refuse') return void client.destroy()
  const upstream = connect(target.port, target.host)
  upstream.on('error', () => client.destroy())
  const pair: Pair = { client, upstream, held: [] }
  state.pairs.add(pair)
  const drop = () => {
    state.pairs.delete(pair)
    client.destroy()
    upstream.destroy()
  }
  client.on('close', drop)
  upstream.on('close', drop)
  client.on('data', (chunk: Buffer) => {
    if (state.mode === 'blackhole') return void pair.held.push({ to: upstream, chunk })
    const trigger = state.triggers.find(
      (candidate) => candidate.remaining > 0 && chunk.includes(candidate.pattern),
    )
    if (!trigger) return void upstream.write(chunk)
    trigger.remaining--
    state.tripped++
    drop()
  })
  upstream.on('data', (chunk: Buffer) => {
    if (state.mode === 'blackhole') pair.held.push({ to: client, chunk })
    else client.write(chunk)
  })
}

/** refuse cuts every open pair; pass lets the held bytes flow again. */
function setMode(state: ProxyState, mode: ProxyMode): void {
  state.mode = mode
  for (const pair of [...state.pairs]) {
    if (mode === 'refuse') {
      pair.client.destroy()
      pair.upstream.destroy()
    }
    if (mode === 'pass') for (const { to, chunk } of pair.held.splice(0)) to.write(chunk)
  }
}
