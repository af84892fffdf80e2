/**
 * B5: the identity platform side by side: the emulator (`bin/graph-connect emulator`) and Entra Local (when installed;
 * --entra-local), each in its own process on the subject core, the same load from the bench's core: discovery, JWKS,
 * client credentials, authorization-code redemptions (CPU per request, alternating rounds), cold start, and RSS after
 * N token requests. --baseline adds the emulator of another checkout (an A/B in the same run).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnEmulator, startEmulator } from '../lib/idp-emulator.ts'
import type { EmulatorCheckout } from '../lib/idp-emulator.ts'
import { entraLocalMissing, spawnEntraLocal, startEntraLocal } from '../lib/idp-entra-local.ts'
import type { IdpServer, Spawned } from '../lib/idp-server.ts'
import { assertHealthy, runLoad } from '../lib/load.ts'
import { measureInRounds } from '../lib/measure.ts'
import { cores } from '../lib/options.ts'
import type { BenchOptions } from '../lib/options.ts'
import { median, round } from '../lib/stats.ts'

const ROUNDS = 3
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

interface Contender {
  key: string
  label: string
  start(dataDir: string, cpu?: number): Promise<IdpServer>
  spawn(dataDir: string, cpu?: number): Promise<Spawned>
}

export async function b5Identity(options: BenchOptions) {
  const missing = entraLocalMissing(options.entraLocal)
  const contenders = contendersOf(options, missing === undefined)
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-b5-'))
  try {
    const load = await underLoad(options, contenders, scratch)
    const coldStartMs = await coldStarts(options, contenders, scratch)
    const rss = await memoryAfterTokens(options, contenders, scratch)
    const figures = { ...load, coldStartMs, rss }
    return {
      subjects: Object.fromEntries(contenders.map(({ key, label }) => [key, label])),
      entraLocal: missing === undefined ? 'measured' : `not measured: ${missing}`,
      tokenRequests: options.tokenRequests,
      ...figures,
      ratios: ratiosOf(figures, 'entraLocal'),
      ...(options.baseline ? { baselineRatios: ratiosOf(figures, 'baseline') } : {}),
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

function contendersOf(options: BenchOptions, withEntraLocal: boolean): Contender[] {
  const emulator = (checkout: EmulatorCheckout): Contender => ({
    ...checkout,
    start: (dataDir, cpu) => startEmulator(checkout, dataDir, cpu),
    spawn: (dataDir, cpu) => spawnEmulator(checkout, dataDir, cpu),
  })
  const list = [emulator({ key: 'emulator', label: 'emulator' })]
  if (options.baseline)
    list.push(emulator({ key: 'baseline', label: 'emulator (baseline)', root: options.baseline }))
  if (withEntraLocal) {
    const dir = options.entraLocal!
    list.push({
      key: 'entraLocal',
      label: 'Entra Local',
      start: (dataDir, cpu) => startEntraLocal(dir, dataDir, cpu),
      spawn: (dataDir, cpu) => spawnEntraLocal(dir, dataDir, cpu),
    })
  }
  return list
}

/** All servers at once, idle but the one loaded: discovery, JWKS, client credentials, redemptions. */
async function underLoad(options: BenchOptions, contenders: Contender[], scratch: string) {
  const servers: IdpServer[] = []
  try {
    for (const contender of contenders)
      servers.push(
        await contender.start(dataFolder(scratch, contender.key, 'load'), subjectCore(options)),
      )
    const byPath = (path: (server: IdpServer) => string) =>
      measureInRounds(
        options,
        servers.map((server) => ({
          key: server.key,
          label: server.label,
          subject: server.subject,
          load: { url: `${server.base}${path(server)}` },
        })),
        ROUNDS,
      )
    const discovery = await byPath(
      (server) => `/${server.tenant}/v2.0/.well-known/openid-configuration`,
    )
    const jwks = await byPath((server) => `/${server.tenant}/discovery/v2.0/keys`)
    const clientCredentials = await clientCredentialsRounds(options, servers)
    const redemptions = await redemptionRounds(options, servers)
    return { discovery, jwks, clientCredentials, redemptions }
  } finally {
    await Promise.all(servers.map((server) => server.subject.stop()))
  }
}

/**
 * Client credentials, bounded in count (40 per second of --duration, the same for every server): Entra Local checks
 * the secret with scrypt (tens of ms each), so a load bounded in time would leave requests in flight, their CPU
 * counted for none; a count lets every request finish before the CPU is read.
 */
async function clientCredentialsRounds(options: BenchOptions, servers: IdpServer[]) {
  const perRound = Math.max(10, Math.round((options.duration / ROUNDS) * 40))
  return countedRounds(options, servers, perRound, async (server, count) => {
    const body = server.clientCredentialsBody
    return { count, body: () => body }
  })
}

/** Authorization-code redemptions of the public client: codes minted beforehand, each redeemed once. */
async function redemptionRounds(options: BenchOptions, servers: IdpServer[]) {
  const perRound = Math.max(50, Math.round((options.duration / ROUNDS) * 300))
  const minted = new Map<string, string[]>()
  for (const server of servers)
    minted.set(server.key, await server.mintCodes(perRound * ROUNDS + perRound / 5))
  return countedRounds(options, servers, perRound, async (server, count) => {
    const codes = minted.get(server.key)!.splice(0, count)
    let next = 0
    return { count: codes.length, body: () => server.redemptionBody(codes[next++]!) }
  })
}

type Batch = (server: IdpServer, count: number) => Promise<{ count: number; body: () => string }>

/** A warm-up of a fifth of a round, then ROUNDS alternating rounds of `perRound` requests; medians of the rounds. */
async function countedRounds(
  options: BenchOptions,
  servers: IdpServer[],
  perRound: number,
  batch: Batch,
) {
  const cpu = new Map<string, number[]>(servers.map((server) => [server.key, []]))
  const rate = new Map<string, number[]>(servers.map((server) => [server.key, []]))
  for (const server of servers)
    await postCount(options, server, await batch(server, Math.ceil(perRound / 5)))
  for (let turn = 0; turn < ROUNDS; turn++) {
    for (let index = 0; index < servers.length; index++) {
      const server = servers[(index + turn) % servers.length]!
      const before = await server.subject.usage()
      const result = await postCount(options, server, await batch(server, perRound))
      const after = await server.subject.usage()
      cpu
        .get(server.key)!
        .push((after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, result.ok))
      rate.get(server.key)!.push(result.perSecond)
    }
  }
  return Object.fromEntries(
    servers.map((server) => [
      server.key,
      {
        label: server.label,
        cpuMsPerRequest: round(median(cpu.get(server.key)!)),
        perSecond: round(median(rate.get(server.key)!)),
        requests: perRound * ROUNDS,
      },
    ]),
  )
}

async function postCount(
  options: BenchOptions,
  server: IdpServer,
  batch: { count: number; body: () => string },
) {
  const result = await runLoad({
    url: `${server.base}/${server.tenant}/oauth2/v2.0/token`,
    connections: Math.min(options.connections, batch.count),
    duration: 600,
    amount: batch.count,
    method: 'POST',
    setupRequest: (request) => ({ ...request, method: 'POST', headers: FORM, body: batch.body() }),
  })
  assertHealthy(`B5 ${server.label} token requests`, result)
  return result
}

/** Spawn to first accepted connection, alternating; the first start on an empty data folder apart. */
async function coldStarts(options: BenchOptions, contenders: Contender[], scratch: string) {
  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.key, []]))
  const first = new Map<string, number>()
  for (let index = -1; index < options.starts; index++) {
    for (const contender of contenders) {
      const { subject, listenMs } = await contender.spawn(
        dataFolder(scratch, contender.key, 'start'),
        subjectCore(options),
      )
      await subject.stop()
      if (index < 0) first.set(contender.key, round(listenMs))
      else samples.get(contender.key)!.push(listenMs)
    }
  }
  return Object.fromEntries(
    contenders.map(({ key, label }) => [
      key,
      {
        label,
        median: round(median(samples.get(key)!)),
        samples: samples.get(key)!.map(round),
        firstOnEmptyDataDir: first.get(key),
      },
    ]),
  )
}

/**
 * RSS of a fresh server after N authorization-code redemptions (each after its authorize request), in chunks of 2,000
 * minted then redeemed (Entra Local's codes live 5 minutes): what traffic leaves behind (journal, codes, refresh
 * tokens, sessions, caches, the heap's growth).
 */
async function memoryAfterTokens(options: BenchOptions, contenders: Contender[], scratch: string) {
  const figures: Record<string, Record<string, unknown>> = {}
  for (const contender of contenders) {
    const server = await contender.start(
      dataFolder(scratch, contender.key, 'rss'),
      subjectCore(options),
    )
    try {
      const idle = await server.subject.usage()
      for (let done = 0; done < options.tokenRequests;) {
        const count = Math.min(2_000, options.tokenRequests - done)
        const codes = await server.mintCodes(count)
        let next = 0
        await postCount(options, server, {
          count,
          body: () => server.redemptionBody(codes[next++]!),
        })
        done += count
      }
      const after = await server.subject.usage()
      figures[contender.key] = {
        label: contender.label,
        rssIdleMB: round(idle.rssBytes / 2 ** 20),
        rssMB: round(after.rssBytes / 2 ** 20),
      }
    } finally {
      await server.subject.stop()
    }
  }
  return figures
}

type Figures = Record<string, unknown>

/** The emulator's figure ÷ the other's, for each measure (below 1: the emulator uses less). */
function ratiosOf(figures: Figures, other: string) {
  const pick = (measure: string, who: string, field: string) =>
    ((figures[measure] as Record<string, Record<string, unknown>> | undefined)?.[who] ?? {})[field]
  const ratio = (measure: string, field: string) => {
    const mine = pick(measure, 'emulator', field)
    const theirs = pick(measure, other, field)
    return typeof mine === 'number' && typeof theirs === 'number' && theirs > 0
      ? round(mine / theirs)
      : null
  }
  return {
    discoveryCpu: ratio('discovery', 'cpuMsPerRequest'),
    jwksCpu: ratio('jwks', 'cpuMsPerRequest'),
    clientCredentialsCpu: ratio('clientCredentials', 'cpuMsPerRequest'),
    redemptionCpu: ratio('redemptions', 'cpuMsPerRequest'),
    coldStart: ratio('coldStartMs', 'median'),
    rss: ratio('rss', 'rssMB'),
  }
}

function dataFolder(scratch: string, key: string, use: string): string {
  const folder = join(scratch, `${key}-${use}`)
  mkdirSync(folder, { recursive: true })
  return folder
}

function subjectCore(options: BenchOptions): number | undefined {
  return cores(options).subject
}
