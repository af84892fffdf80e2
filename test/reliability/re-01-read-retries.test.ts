/**
 * RE-01, black-box: the app's read-only Graph call (the profile photo fetched at sign-in) retries 429/503/504 at most
 * 3 times within the retry budget, honours Retry-After (seconds or HTTP-date), and fails fast when Retry-After
 * exceeds the budget. A photo that cannot be read is not an error: the sign-in completes without it.
 */
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import type { DemoUser, EmulatorClient, FaultAction } from '../../src/emulator/index.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

const budgetMs = 3500
let system: System
let emulator: EmulatorClient
let app: AppInstance
let adele: DemoUser

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  app = await system.startApp({
    env: { GRAPH_TIMEOUT_MS: '500', GRAPH_RETRY_BUDGET_MS: String(budgetMs) },
  })
  adele = system.user('adele')
})

after(() => system?.close())

beforeEach(() => emulator.clearFaults())

const photoPath = '^/v1\\.0/me/photo/\\$value$'
const photoReads = /^\/v1\.0\/me\/photo\/\$value$/

/** Signs in with `faults` on the photo read; returns the photo reads (with their times) and what / shows. */
async function signInWith(faults: FaultAction[]) {
  for (const action of faults)
    await emulator.addFault({ match: { method: 'GET', path: photoPath }, action })
  const mark = await emulator.mark()
  const client = app.browser()
  const started = Date.now()
  await client.signInHome(adele)
  const finished = Date.now()
  const signInMs = finished - started
  const reads = await emulator.journal({ since: mark, method: 'GET', path: photoReads })
  const photo = await client.get('/me/photo')
  const gaps = reads
    .slice(1)
    .map((read, index) => Date.parse(read.time) - Date.parse(reads[index]!.time))
  // From the last photo read to the end of the sign-in: no wait hides there when the app gives up.
  const afterLastReadMs = reads.length ? finished - Date.parse(reads.at(-1)!.time) : 0
  return {
    reads,
    gaps,
    signInMs,
    afterLastReadMs,
    photoStatus: photo.status,
    home: await client.home(),
  }
}

test('RE-01 429 with Retry-After: 1, then 200 → 2 reads, the second ≥ 1 s later; the photo is shown', async () => {
  const result = await signInWith([{ status: 429, retryAfter: 1 }])
  assert.equal(result.reads.length, 2)
  assert.ok(result.gaps[0]! >= 990, `waited ${result.gaps[0]} ms`)
  assert.equal(result.photoStatus, 200)
  assert.ok(result.home.signedIn)
})

test('RE-01 503, 504, 429 (no Retry-After), then 200 → 4 reads (3 retries with backoff); the photo is shown', async () => {
  const result = await signInWith([{ status: 503 }, { status: 504 }, { status: 429 }])
  assert.equal(result.reads.length, 4)
  assert.equal(result.photoStatus, 200)
})

test('RE-01 four 503s in a row → 4 reads, then the app gives up: signed in without a photo', async () => {
  const result = await signInWith([
    { status: 503 },
    { status: 503 },
    { status: 503 },
    { status: 503 },
    { status: 503 },
  ])
  assert.equal(result.reads.length, 4, 'at most 3 retries')
  assert.equal(result.photoStatus, 404)
  assert.ok(result.home.signedIn)
  await emulator.clearFaults() // the fifth was never used
})

test('RE-01 429 with Retry-After: 3600 → 1 read, fails fast (no wait beyond the budget)', async () => {
  const result = await signInWith([{ status: 429, retryAfter: 3600 }])
  assert.equal(result.reads.length, 1)
  assert.ok(
    result.afterLastReadMs < 1000,
    `${result.afterLastReadMs} ms between the read and the end of the sign-in`,
  )
  assert.equal(result.photoStatus, 404)
  assert.ok(result.home.signedIn)
})

test('RE-01 Retry-After as an HTTP-date 3 s ahead is honoured', async () => {
  const date = new Date(Date.now() + 3000).toUTCString()
  const result = await signInWith([{ status: 503, retryAfter: date }])
  assert.equal(result.reads.length, 2)
  assert.ok(result.gaps[0]! >= 1500, `waited ${result.gaps[0]} ms for ${date}`)
  assert.equal(result.photoStatus, 200)
})

test('RE-01 the total budget bounds the retries: 429 Retry-After: 2 twice with a 3.5 s budget → 2 reads, then give up', async () => {
  const result = await signInWith([
    { status: 429, retryAfter: 2 },
    { status: 429, retryAfter: 2 },
    { status: 429, retryAfter: 2 },
  ])
  assert.equal(result.reads.length, 2, 'the second wait would exceed the budget')
  assert.ok(
    result.afterLastReadMs < 1000,
    `gave up ${result.afterLastReadMs} ms after the second read, without waiting`,
  )
  assert.ok(result.signInMs < budgetMs + 1500, `sign-in took ${result.signInMs} ms`)
  assert.equal(result.photoStatus, 404)
  await emulator.clearFaults()
})

test('RE-01 no retry on other 4xx (403) → 1 read', async () => {
  const result = await signInWith([{ status: 403 }])
  assert.equal(result.reads.length, 1)
  assert.equal(result.photoStatus, 404)
})
