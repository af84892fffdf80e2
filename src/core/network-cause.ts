/**
 * `networkCause`: why a request to another server failed, in the user's terms — the name does not resolve, nothing
 * listens, no answer in time, a certificate not trusted, an HTTP status — with what to check. fetch() itself only
 * says "fetch failed"; the reason is in its cause's code.
 */
const TLS_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_)/

export function networkCause(error: unknown, url: string, timeoutMs: number): string {
  const { host } = new URL(url)
  const code = codeOf(error)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `the name ${new URL(url).hostname} does not resolve (${code}): check the host name, or this machine's DNS and network`
  if (code === 'ECONNREFUSED') return `nothing answers at ${host} (ECONNREFUSED)`
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')
    return `${host} closed the connection (${code}): a firewall or proxy may be in the way`
  if (code === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return `no answer from ${host} within ${timeoutMs / 1000} s: a firewall may be in the way (this app connects directly, without an HTTP proxy)`
  if (code && TLS_CODES.test(code))
    return `the TLS certificate of ${host} is not trusted (${code}): if a proxy inspects TLS, give its CA with NODE_EXTRA_CA_CERTS`
  const status = /^HTTP (\d{3})$/.exec((error as Error)?.message ?? '')?.[1]
  if (status) return `${host} answered HTTP ${status}`
  return `${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`
}

/** The system or undici code of the error or its causes; an abort by timeout is "TimeoutError". */
function codeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown }
    if (name === 'TimeoutError') return 'TimeoutError'
    if (typeof code === 'string' && code !== 'ERR_AUTH_METADATA') return code
    current = cause
  }
  return undefined
}
