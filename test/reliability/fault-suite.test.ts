/**
 * Fault suite: ≥ 500 sends through the app while the emulator injects 429 / 503 / 504 / delays past the timeout /
 * connection resets / "deliver then 504" on ~20 % of sendMail calls (seeded, so every run is the same). Every send must
 * end as exactly one of: delivered once and reported sent; not delivered and reported failed with the form kept;
 * reported "outcome unknown" and delivered at most once. Prints sends, delivered, duplicates, silent losses, unknowns.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorClient, FaultAction } from '../../src/emulator/index.ts'
import type { AppPage } from '../kit/app-page.ts'
import type { Browser } from '../kit/browser.ts'
import { SEND_MAIL } from '../kit/faults.ts'
import { sendMails } from '../kit/journal.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

const SENDS = Number(process.env.FAULT_SUITE_SENDS ?? 1000)
const SEED = 20261123
const FAULT_RATE = 0.2
const timeoutMs = 250

// The faults, each with what the user may be told (the classification below does not trust this table).
const faults: { name: string; action: FaultAction }[] = [
  { name: '429 Retry-After: 0 (retried, then sent)', action: { status: 429, retryAfter: 0 } },
  { name: '429 without Retry-After (backoff, then sent)', action: { status: 429 } },
  { name: '429 Retry-After: 3600 (beyond the budget)', action: { status: 429, retryAfter: 3600 } },
  { name: '503', action: { status: 503 } },
  { name: '504', action: { status: 504 } },
  { name: `delay ${timeoutMs + 150} ms (past the timeout)`, action: { delayMs: timeoutMs + 150 } },
  { name: 'connection reset', action: { reset: true } },
  { name: 'deliver then 504', action: { deliverThen: 504 } },
  { name: 'deliver then 503', action: { deliverThen: 503 } },
]

/** mulberry32: a tiny seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let system: System
let emulator: EmulatorClient
let app: AppInstance
const senders: Browser[] = []
let recipient: string

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  app = await system.startApp({
    env: {
      GRAPH_TIMEOUT_MS: String(timeoutMs),
      GRAPH_RETRY_BUDGET_MS: '1500',
      SEND_LIMIT_PER_MINUTE: '10000',
    },
  })
  const users = system.emulator.demo.users
  recipient = users.find((user) => user.userPrincipalName.startsWith('megan'))!.userPrincipalName
  for (const user of users
    .filter((candidate) => !candidate.userPrincipalName.startsWith('megan'))
    .slice(0, 3)) {
    const client = app.browser()
    await client.signInHome(user)
    senders.push(client)
  }
})

after(() => system?.close())

type Reported = 'sent' | 'failed' | 'unknown' | 'other'

/** One send as the user saw it. */
interface SendRecord {
  subject: string
  fault: string | undefined
  reported: Reported
  formKept: boolean
  status: number
}

/** The suite's figures; `problems` names every send that broke a rule. */
type Figures = ReturnType<typeof emptyFigures>

const emptyFigures = (sendMailCalls: number) => ({
  sends: 0,
  faulted: 0,
  delivered: 0,
  reportedSent: 0,
  reportedFailed: 0,
  duplicates: 0,
  silentLosses: 0,
  unknowns: 0,
  unknownDelivered: 0,
  misreportedFailures: 0,
  formsLost: 0,
  other: 0,
  sendMailCalls,
})

/** What the banner says happened, read from its kind and words only. */
function reportedBy(page: AppPage): Reported {
  const text = page.banner?.text ?? ''
  if (page.banner?.kind === 'success' && text.includes('Successfully sent')) return 'sent'
  if (page.banner?.kind === 'error' && text.includes("wasn't sent")) return 'failed'
  const unknown = text.includes('could not confirm') && text.includes('Sent Items')
  return page.banner?.kind === 'warning' && unknown ? 'unknown' : 'other'
}

/** The sends, each by the next sender, a seeded fifth of them meeting a scripted sendMail fault. */
async function sendAll(): Promise<SendRecord[]> {
  const next = random(SEED)
  const runId = `${process.pid}-${Date.now()}`
  const records: SendRecord[] = []
  for (let i = 0; i < SENDS; i++) {
    const client = senders[i % senders.length]!
    const subject = `FS ${runId} #${i}`
    const body = `typed body ${i} — ünïcode ✓`
    const fault = next() < FAULT_RATE ? faults[Math.floor(next() * faults.length)]! : undefined
    if (fault)
      await emulator.addFault({
        match: SEND_MAIL,
        count: 1,
        action: fault.action,
      })
    const { response, page } = await client.sendFromPage({ to: recipient, subject, body })
    records.push({
      subject,
      fault: fault?.name,
      reported: reportedBy(page),
      formKept: page.form.subject === subject && page.form.body === body,
      status: response.status,
    })
    await emulator.clearFaults() // an unused fault never leaks into the next send
  }
  return records
}

/** Each send against what was delivered: the figures and every problem. */
function classify(records: SendRecord[], deliveries: Map<string, number>, sendMailCalls: number) {
  const figures = { ...emptyFigures(sendMailCalls), sends: records.length }
  const problems: string[] = []
  const flag = (
    figure: 'duplicates' | 'silentLosses' | 'misreportedFailures' | 'formsLost',
    problem: string,
  ) => {
    figures[figure]++
    problems.push(problem)
  }
  for (const record of records) {
    const delivered = deliveries.get(record.subject) ?? 0
    if (record.fault) figures.faulted++
    if (delivered > 0) figures.delivered++
    if (delivered > 1)
      flag('duplicates', `${record.subject} delivered ${delivered}× (${record.fault})`)
    if (record.status !== 303)
      problems.push(`${record.subject}: POST /send answered ${record.status}`)
    switch (record.reported) {
      case 'sent':
        figures.reportedSent++
        if (delivered !== 1)
          flag(
            'silentLosses',
            `${record.subject} reported sent, delivered ${delivered} (${record.fault})`,
          )
        break
      case 'failed':
        figures.reportedFailed++
        if (delivered !== 0)
          flag(
            'misreportedFailures',
            `${record.subject} reported failed but delivered (${record.fault})`,
          )
        if (!record.formKept) flag('formsLost', `${record.subject} failed without the form kept`)
        break
      case 'unknown':
        figures.unknowns++
        if (delivered === 1) figures.unknownDelivered++
        if (!record.formKept) flag('formsLost', `${record.subject} unknown without the form kept`)
        break
      default:
        figures.other++
        problems.push(
          `${record.subject} reported neither sent, failed nor unknown (${record.fault})`,
        )
    }
  }
  return { figures, problems }
}

/** The summary line, then one line per fault: how its sends were reported. */
function report(figures: Figures, records: SendRecord[], seconds: string): string {
  const summary = `fault suite (seed ${SEED}, ${seconds} s): sends ${figures.sends}, faulted ${figures.faulted}, delivered ${figures.delivered}, duplicates ${figures.duplicates}, silent losses ${figures.silentLosses}, unknowns ${figures.unknowns} (of which delivered ${figures.unknownDelivered}), reported sent ${figures.reportedSent}, reported failed ${figures.reportedFailed}, misreported failures ${figures.misreportedFailures}, forms lost ${figures.formsLost}, sendMail calls ${figures.sendMailCalls}`
  console.log(summary)
  const byFault = new Map<string, Record<Reported, number>>()
  for (const record of records) {
    const row = byFault.get(record.fault ?? 'none') ?? { sent: 0, failed: 0, unknown: 0, other: 0 }
    row[record.reported]++
    byFault.set(record.fault ?? 'none', row)
  }
  for (const [fault, row] of byFault)
    console.log(
      `  ${fault.padEnd(45)} sent ${row.sent}, failed ${row.failed}, unknown ${row.unknown}, other ${row.other}`,
    )
  return summary
}

test(`fault suite: ${SENDS} sends with ~${FAULT_RATE * 100} % sendMail faults — no duplicate, no silent loss`, async (t) => {
  const started = Date.now()
  const mark = await emulator.mark()
  const records = await sendAll()
  await sleep(timeoutMs + 500) // deliveries delayed past the timeout land now

  const inbox = await emulator.messages(recipient, { folder: 'inbox' })
  const deliveries = new Map<string, number>()
  for (const message of inbox)
    deliveries.set(message.subject, (deliveries.get(message.subject) ?? 0) + 1)
  const journal = await sendMails(emulator, mark)
  const { figures, problems } = classify(records, deliveries, journal.length)
  t.diagnostic(report(figures, records, ((Date.now() - started) / 1000).toFixed(1)))

  assert.ok(figures.sends >= 500 || process.env.FAULT_SUITE_SENDS !== undefined)
  assert.ok(figures.faulted >= figures.sends * 0.15, 'about a fifth of the sends met a fault')
  assert.deepEqual(problems, [])
  assert.equal(figures.duplicates, 0)
  assert.equal(figures.silentLosses, 0)
  assert.equal(
    figures.reportedSent + figures.reportedFailed + figures.unknowns,
    figures.sends,
    'every send is classified exactly once',
  )
})
