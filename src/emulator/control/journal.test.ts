/** The journal's budget of bytes: filled past it, it stays within it, keeps the newest entries and says what it dropped. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { buildEmulator, type Emulator } from '../app.ts'
import { createJournal } from './journal.ts'
import { entryBytes, parsedBodyBytes } from './journal-size.ts'

const headers = (size: number) => ({ host: 'localhost', 'x-padding': 'x'.repeat(size) })

describe('journal: bounded by bytes', () => {
  it('stays within its budget, keeps the newest entries, and counts what it dropped since a mark', () => {
    const journal = createJournal(64 * 1024)
    const mark = journal.mark()
    for (let index = 0; index < 2_000; index++) {
      const entry = journal.record('POST', `/r/${index}`, {}, headers(200))
      journal.setBody(entry, { index, text: 'y'.repeat(300) }, 330)
      assert.ok(journal.size().bytes <= 64 * 1024, `after ${index + 1}: ${journal.size().bytes}`)
    }
    const { entries, dropped } = journal.read(mark)
    assert.ok(entries.length > 10 && entries.length < 2_000, `${entries.length} kept`)
    assert.equal(entries.at(-1)!.path, '/r/1999', 'the newest entry is kept')
    assert.deepEqual(
      entries.map((entry) => entry.seq),
      entries.map((_, index) => 2_000 - entries.length + 1 + index),
      'the kept entries are the last ones, in order',
    )
    assert.equal(dropped + entries.length, 2_000)
    const recent = journal.read(1_995)
    assert.deepEqual([recent.entries.length, recent.dropped], [5, 0], 'a recent mark lost nothing')
  })

  it('counts a body once it is read, and a large one as its summary', () => {
    const journal = createJournal(1024 * 1024)
    const entry = journal.record('POST', '/upload', {}, { host: 'localhost' })
    const without = journal.size().bytes
    assert.equal(without, entryBytes('POST', '/upload', { host: 'localhost' }, 0))
    journal.setBody(entry, { a: 'b' }, 9)
    assert.equal(journal.size().bytes, without + parsedBodyBytes({ a: 'b' }, 9))
    const big = journal.record('PUT', '/big', {}, {})
    const before = journal.size().bytes
    journal.setBody(big, Buffer.alloc(100_000), 100_000)
    assert.deepEqual(big.body, { summary: 'body too large to keep', bytes: 100_000 })
    assert.ok(journal.size().bytes - before < 1_000, 'a summary, not the 100 KB')
  })

  it('keeps the newest entry even alone above the budget, and a dropped in-flight entry is not counted', () => {
    const journal = createJournal(1_000)
    const first = journal.record('GET', '/a', {}, {})
    journal.record('GET', '/b', {}, headers(5_000))
    assert.deepEqual(
      journal.since(0).map((entry) => entry.path),
      ['/b'],
    )
    const size = journal.size().bytes
    journal.setBody(first, { late: true }, 14)
    assert.equal(journal.size().bytes, size)
    journal.clear()
    assert.deepEqual(journal.size(), { bytes: 0, maxBytes: 1_000, entries: 0 })
  })
})

describe('GET /_emulator/journal: dropped', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await buildEmulator({ logger: false, journalBytes: 32 * 1024 })
  })
  after(() => emulator.close())

  it('says how many entries after `since` the journal no longer holds', async () => {
    const mark = await emulator.client.mark()
    for (let index = 0; index < 200; index++)
      await emulator.fastify.inject({
        method: 'POST',
        url: `/common/oauth2/v2.0/token?n=${index}`,
        payload: `grant_type=password&username=${'u'.repeat(100)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    const answer = (await emulator.fastify.inject(`/_emulator/journal?since=${mark}`)).json() as {
      entries: { seq: number; query: { n: string } }[]
      next: number
      dropped: number
    }
    assert.ok(answer.dropped > 0)
    assert.equal(answer.dropped + answer.entries.length, 200)
    assert.equal(answer.entries.at(-1)!.query.n, '199')
    assert.equal(answer.next, mark + 200)
    assert.ok(emulator.context.journal.size().bytes <= 32 * 1024)
    const recent = (await emulator.fastify.inject(`/_emulator/journal?since=${mark + 199}`)).json()
    assert.equal(recent.dropped, 0)
  })
})
