/** Listens and shuts down gracefully (RE-09): readiness drops at once, in-flight requests drain within the grace. */
import type { ConnectApp } from './app.ts'

export interface ServerOptions {
  host: string
  port: number
  graceMs: number
  /** Called after the app closed (close the store). */
  onClosed?: () => Promise<void>
  /** Resolves once every log line written so far is out (the log is written asynchronously); awaited before exit. */
  flushLog?: () => Promise<void>
  /** For tests: no process signal handlers. */
  handleSignals?: boolean
}

export interface RunningServer {
  url: string
  /** Starts the graceful shutdown; resolves with the exit code (0 drained, 1 forced at the end of the grace). */
  shutdown(reason: string): Promise<number>
}

export async function startServer(app: ConnectApp, options: ServerOptions): Promise<RunningServer> {
  app.server.requestTimeout = 120_000 // a slow client cannot hold the shutdown forever
  app.server.headersTimeout = 20_000
  const url = await app.listen({ host: options.host, port: options.port })
  let closing: Promise<number> | undefined

  function shutdown(reason: string): Promise<number> {
    closing ??= (async () => {
      app.log.info({ event: 'shutdown.start', reason, graceMs: options.graceMs }, 'shutting down')
      app.markShuttingDown()
      let forced = false
      const timer = setTimeout(() => {
        forced = true
        app.log.warn(
          { event: 'shutdown.forced' },
          'grace period over: closing remaining connections',
        )
        app.server.closeAllConnections()
      }, options.graceMs)
      timer.unref()
      // app.close() stops accepting, answers 503 to new requests on open sockets, waits for in-flight ones.
      const closed = app.close()
      app.server.closeIdleConnections()
      await closed
      clearTimeout(timer)
      await options
        .onClosed?.()
        .catch((error: unknown) => app.log.error({ err: error }, 'close failed'))
      app.log.info({ event: 'shutdown.done', forced }, 'stopped')
      return forced ? 1 : 0
    })()
    return closing
  }

  if (options.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (closing) {
          process.exit(1) // a second signal forces the exit
        }
        void shutdown(signal).then(async (code) => {
          await options.flushLog?.()
          process.exit(code)
        })
      })
    }
  }
  return { url, shutdown }
}
