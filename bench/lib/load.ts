/** Load generation with autocannon, used programmatically; latencies kept at full (sub-ms) resolution. */
import autocannon from 'autocannon'
import type { AutocannonRequest } from 'autocannon'
import { distribution, round } from './stats.ts'
import type { Distribution } from './stats.ts'

export interface LoadOptions {
  url: string
  connections: number
  /** Seconds; ignored when `amount` is set. */
  duration: number
  /** Stop after this many requests instead of after `duration`. */
  amount?: number
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Builds each request (e.g. a fresh one-time code per request). */
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest
  /** Status counted as success (default: any 2xx). */
  expectStatus?: number
  /** Keep every latency, in order of response, in `samples`. */
  keepSamples?: boolean
}

export interface LoadResult {
  requests: number
  ok: number
  seconds: number
  /** Successful responses per second. */
  perSecond: number
  latency: Distribution
  statusCodes: Record<string, number>
  errors: number
  timeouts: number
  samples?: number[]
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  const statusCodes: Record<string, number> = {}
  let ok = 0
  const isOk = (status: number) =>
    options.expectStatus === undefined
      ? status >= 200 && status < 300
      : status === options.expectStatus
  const requests: AutocannonRequest[] | undefined = options.setupRequest
    ? [{ setupRequest: options.setupRequest }]
    : undefined
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        amount: options.amount,
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        requests,
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(error)
        const seconds = options.amount
          ? Number(process.hrtime.bigint() - started) / 1e9
          : result.duration
        resolve({
          requests: latencies.length,
          ok,
          seconds,
          perSecond: round(ok / seconds),
          latency: roundDistribution(distribution(latencies)),
          statusCodes,
          errors: result.errors,
          timeouts: result.timeouts,
          samples: options.keepSamples ? latencies : undefined,
        })
      },
    )
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      latencies.push(ms)
      statusCodes[status] = (statusCodes[status] ?? 0) + 1
      if (isOk(status)) ok += 1
    })
  })
}

function roundDistribution(value: Distribution): Distribution {
  return {
    count: value.count,
    p50: round(value.p50),
    p99: round(value.p99),
    mean: round(value.mean),
  }
}

/** Throws when a load run did not do what it was meant to: better no figure than a wrong one. */
export function assertHealthy(name: string, result: LoadResult, minimumOkShare = 0.99): void {
  const share = result.requests === 0 ? 0 : result.ok / result.requests
  if (share < minimumOkShare || result.ok === 0) {
    const codes = JSON.stringify(result.statusCodes)
    throw new Error(
      `${name}: only ${result.ok}/${result.requests} expected responses (status ${codes}, errors ${result.errors})`,
    )
  }
}
