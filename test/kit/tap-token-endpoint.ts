/**
 * tapTokenEndpoint: a network (fetch) that notes every secret crossing the token endpoint — the code, verifier,
 * client secret and refresh token it sends, the access, refresh and id tokens it receives — for the leak scans.
 */
import { createHttpFetch } from '../../src/core/index.ts'

const SENT = ['code', 'client_secret', 'refresh_token', 'code_verifier']
const RECEIVED = ['access_token', 'refresh_token', 'id_token']

export function tapTokenEndpoint(
  artifacts: Set<string>,
  network: typeof fetch = createHttpFetch(),
): typeof fetch {
  return async function tap(input, init) {
    const request = new Request(input, init)
    if (!/\/oauth2\/v2\.0\/token$/.test(new URL(request.url).pathname)) return network(input, init)
    const sent = new URLSearchParams(await request.clone().text())
    for (const name of SENT) {
      const value = sent.get(name)
      if (value) artifacts.add(value)
    }
    const response = await network(input, init)
    const json = (await response
      .clone()
      .json()
      .catch(() => ({}))) as Record<string, unknown>
    for (const name of RECEIVED) if (typeof json[name] === 'string') artifacts.add(json[name])
    return response
  }
}
