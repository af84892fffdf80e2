/**
 * freePort: a TCP port free on 127.0.0.1 right now, for a server whose own settings must name its port before it
 * listens (an app's PUBLIC_URL, a process started by a test). Anything else listens on port 0 and reads its port.
 */
import { createServer } from 'node:net'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
