/**
 * `graph-connect merge` as a user meets it, a process against the real emulator: the dry run (problems with their row
 * and fix, previews, nothing sent), merges from a delegated user (draft mode) and app-only from two mailboxes, status
 * and report, bad command lines, every row checked first, direct mode's unknown row and --resend-unknown, cancel,
 * Ctrl-C then resume, and JSON progress lines when not on a terminal.
 */
import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { convert } from 'html-to-text'
import { cliEnv, deviceCodeLogin, runCli, startCli } from './kit/cli-process.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'

/** Time scaled for a test: short Graph timeout, quick settle checks, leases and polls. */
const FAST = {
  GRAPH_TIMEOUT_MS: '3000',
  MERGE_SETTLE_MS: '100',
  MERGE_SETTLE_CHECKS: '2',
  MERGE_LEASE_MS: '3000',
  MERGE_ABANDONED_HOLD_MS: '200',
  MERGE_POLL_MS: '100',
}

/** A Graph request that sends or creates a message (a draft included). */
const SENDING = /^\/v1\.0\/(me|users\/[^/]+)\/(sendMail|messages|messages\/[^/]+\/send)$/

interface ReportRow {
  row: number
  recipient: string
  mailbox: string
  state: string
  internetMessageId: string
  error: string
}

describe('merge', () => {
  let system: System
  const scratch = scratchDir('gc-cli-merge')
  const homes = { delegated: '', direct: '', app: '' }
  const env = (home: keyof typeof homes) =>
    cliEnv(homes[home], { EMULATOR_URL: system.emulator.url, ...FAST })
  const merge = (home: keyof typeof homes, args: string[]) =>
    runCli(['merge', ...args], { env: env(home) })

  before(async () => {
    system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
    for (const home of Object.keys(homes) as (keyof typeof homes)[])
      homes[home] = join(scratch.dir, home)
    await system.client.grantConsent({
      clientId: system.emulator.demo.clientId,
      admin: true,
      roles: ['Mail.ReadWrite'],
    })
    const [delegated, direct, app] = await Promise.all([
      deviceCodeLogin([], { env: env('delegated') }, system.user('adele')),
      deviceCodeLogin(
        ['--scopes', 'User.Read Mail.Send'],
        { env: env('direct') },
        system.user('megan'),
      ),
      runCli(['login', '--secret', '-'], {
        env: env('app'),
        input: `${system.emulator.demo.clientSecret}\n`,
      }),
    ])
    for (const login of [delegated, direct, app]) assert.equal(login.code, 0, login.stderr)
  })
  after(async () => {
    await system.close()
    scratch.remove()
  })

  /** A rows file (and the body template beside it) in a folder of its own. */
  function files(label: string, rows: string[], body = 'Hello **{{first_name}}**,\n\n{{note}}\n') {
    const dir = join(scratch.dir, label)
    mkdirSync(dir, { recursive: true })
    const csv = join(dir, 'rows.csv')
    writeFileSync(csv, `${rows.join('\n')}\n`)
    const template = join(dir, 'body.md')
    writeFileSync(template, body)
    return { dir, csv, template }
  }

  /** `merge <rows> --name <label> --subject … --body-file …` and more. */
  const start = (label: string, paths: { csv: string; template: string }, more: string[] = []) => [
    paths.csv,
    '--name',
    label,
    '--subject',
    `${label}: for {{first_name}}`,
    '--body-file',
    paths.template,
    ...more,
  ]

  async function report(home: keyof typeof homes, label: string): Promise<ReportRow[]> {
    const out = await merge(home, ['report', label])
    assert.equal(out.code, 0, out.stderr)
    return parseReport(out.stdout)
  }

  async function status(home: keyof typeof homes, label: string) {
    const out = await merge(home, ['status', label, '-o', 'json'])
    assert.equal(out.code, 0, out.stderr)
    return JSON.parse(out.stdout) as Record<string, string | number>
  }

  /** The copies of a job's messages in a sender's Sent Items, by subject. */
  async function sentCopies(sender: string, label: string) {
    const copies = new Map<string, number>()
    for (const message of await system.client.messages(sender, { folder: 'sentitems' }))
      if (message.subject.startsWith(`${label}:`))
        copies.set(message.subject, (copies.get(message.subject) ?? 0) + 1)
    return copies
  }

  async function sendingCalls(since: number) {
    return (await system.client.journal({ since, method: 'POST' })).filter((entry) =>
      SENDING.test(entry.path),
    )
  }

  test('--dry-run: every problem with its row and fix, the previews as text, nothing sent; all good → exit 0; -o json', async () => {
    const paths = files('dry', [
      'to,first_name,note,attachments',
      'lea@contoso.test,Léa,Your terms are attached.,terms.txt',
      'nobody,Bob,x,',
      'megan@contoso.test,,x,',
      'diego@contoso.test,Diego,x,missing.pdf',
    ])
    writeFileSync(join(paths.dir, 'terms.txt'), 'terms')
    const since = await system.client.mark()
    const out = await merge('delegated', [...start('dry', paths), '--dry-run'])
    assert.equal(out.code, 1, out.stderr)
    assert.equal(out.stderr, '')
    const text = out.stdout
    assert.match(text, /^4 rows: 1 ready, 3 with problems; 1 recipients, /)
    assert.ok(
      text.includes(
        '  - row 2 (line 3): "nobody" in the "to" column is not an e-mail address: fix it (several addresses: separate them with , or ;).\n',
      ),
      text,
    )
    assert.ok(
      text.includes(
        '  - row 3 (line 4): column "first_name" is empty; give it a value, or a default in the template: {{first_name|your text}}.\n',
      ),
      text,
    )
    assert.match(
      text,
      /\n {2}- row 4 \(line 5\): the attachment "missing\.pdf" .*\(looked for .*missing\.pdf\): fix the path in the "attachments" column/,
    )
    assert.match(
      text,
      /\n── row 1 ─ to lea@contoso\.test ─+\nSubject: dry: for Léa\n\nHello Léa,\n/,
    )
    assert.ok(!/\*\*|<strong>|<p>/.test(text), `the Markdown is shown rendered, as text:\n${text}`)
    assert.match(text, /\nHello Léa,\n\nYour terms are attached\.\n/)
    assert.doesNotMatch(text, /row [234] ─/, 'rows with problems are not previewed')
    assert.match(text, /\nNothing was sent\. Fix the rows above, then run --dry-run again\.\n$/)

    const json = await merge('delegated', [...start('dry', paths), '--dry-run', '-o', 'json'])
    assert.equal(json.code, 1, json.stderr)
    const parsed = JSON.parse(json.stdout) as {
      rows: number
      ok: number
      problemCount: number
      problems: string[]
      previews: { row: number; to: string[]; subject: string; bodyType: string }[]
    }
    assert.deepEqual(
      { rows: parsed.rows, ok: parsed.ok, problemCount: parsed.problemCount },
      { rows: 4, ok: 1, problemCount: 3 },
    )
    assert.deepEqual(
      parsed.problems.map((problem) => problem.slice(0, 6)),
      ['row 2 ', 'row 3 ', 'row 4 '],
    )
    assert.deepEqual(
      parsed.previews.map(({ row, to, subject, bodyType }) => ({ row, to, subject, bodyType })),
      [{ row: 1, to: ['lea@contoso.test'], subject: 'dry: for Léa', bodyType: 'html' }],
    )

    const good = files('dry-good', [
      'to,first_name,note',
      'lea@contoso.test,Léa,one',
      'megan@contoso.test,Megan,two',
    ])
    const ok = await merge('delegated', [
      ...start('dry-good', good),
      '--dry-run',
      '--previews',
      '1',
    ])
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /^2 rows: 2 ready, 0 with problems; 2 recipients/)
    assert.equal(ok.stdout.match(/── row /g)?.length, 1, '--previews 1')
    assert.match(
      ok.stdout,
      /Nothing was sent\. Run the same command without --dry-run to send\.\n$/,
    )
    assert.deepEqual(
      (await system.client.journal({ since })).map((entry) => `${entry.method} ${entry.path}`),
      [],
      'a dry run makes no request at all',
    )
    const jobs = await merge('delegated', ['status'])
    assert.doesNotMatch(jobs.stdout, /dry/, 'a dry run writes no job')
  })

  test('a delegated merge (draft mode): rendered, escaped mail arrives; status and report agree; --out is 0600', async () => {
    const paths = files('deleg', [
      'to,first_name,note',
      'lea@contoso.test,Léa,<b>Tom & Jerry</b>',
      'megan@contoso.test,Megan,"Quotes, ""and"" commas"',
      'diego@contoso.test,Diego,plain',
    ])
    const since = await system.client.mark()
    const out = await merge('delegated', start('deleg', paths))
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stderr, /merge "deleg": 3 rows from adele@contoso\.test \(draft mode\)/)
    assert.match(
      out.stderr,
      /merge "deleg" done: sent 3, failed 0, unknown 0, cancelled 0, left 0 of 3\./,
    )

    const [lea] = (await system.client.messages('lea@contoso.test')).filter(
      (message) => message.subject === 'deleg: for Léa',
    )
    assert.ok(lea, 'Léa got her message')
    assert.equal(lea.from?.emailAddress.address, 'adele@contoso.test')
    assert.equal(lea.body.contentType, 'html')
    assert.match(lea.body.content, /Hello <strong>Léa<\/strong>,/)
    assert.ok(!lea.body.content.includes('<b>'), 'a value never becomes markup')
    assert.match(convert(lea.body.content), /^Hello Léa,\n\n<b>Tom & Jerry<\/b>$/, 'shown as typed')
    const [megan] = (await system.client.messages('megan@contoso.test')).filter(
      (message) => message.subject === 'deleg: for Megan',
    )
    assert.match(convert(megan!.body.content), /\n\nQuotes, "and" commas$/)
    const calls = (await system.client.journal({ since, method: 'POST' })).map((call) => call.path)
    assert.ok(calls.includes('/v1.0/me/messages'), `drafts made:\n${calls.join('\n')}`)
    assert.ok(!calls.includes('/v1.0/me/sendMail'), 'draft mode does not use sendMail')

    const rows = await report('delegated', 'deleg')
    assert.deepEqual(
      rows.map(({ row, recipient, mailbox, state }) => ({ row, recipient, mailbox, state })),
      [
        { row: 1, recipient: 'lea@contoso.test', mailbox: 'adele@contoso.test', state: 'sent' },
        { row: 2, recipient: 'megan@contoso.test', mailbox: 'adele@contoso.test', state: 'sent' },
        { row: 3, recipient: 'diego@contoso.test', mailbox: 'adele@contoso.test', state: 'sent' },
      ],
    )
    assert.equal(rows[0]!.internetMessageId, lea.internetMessageId)
    assert.equal(rows[1]!.internetMessageId, megan!.internetMessageId)
    assert.match(rows[2]!.internetMessageId, /^<.+>$/)

    assert.deepEqual(await status('delegated', 'deleg'), {
      name: 'deleg',
      state: 'done',
      rows: 3,
      mode: 'draft',
      senders: 'adele@contoso.test',
      pending: 0,
      drafting: 0,
      drafted: 0,
      sending: 0,
      sent: 3,
      failed: 0,
      unknown: 0,
      cancelled: 0,
    })
    const text = await merge('delegated', ['status', 'deleg'])
    assert.match(
      text.stdout,
      /^merge "deleg": done, 3 rows from adele@contoso\.test \(draft mode\), created \S+\n {2}sent {6}3\n$/,
    )
    const list = await merge('delegated', ['status'])
    assert.match(list.stdout, /deleg\s+done\s+3\s+3\s+0\s+0\s+0/)

    const file = join(scratch.dir, 'deleg-report.csv')
    const written = await merge('delegated', ['report', 'deleg', '--out', file])
    assert.equal(written.code, 0, written.stderr)
    assert.equal(written.stdout, '')
    assert.match(written.stderr, /report of merge "deleg" written to /)
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the report names recipients: owner only')
    assert.deepEqual(parseReport(readFileSync(file, 'utf8')), rows)
  })

  test('app-only from two mailboxes (--from a,b): rows alternate senders, each delivered from its sender', async () => {
    const paths = files('app', [
      'to,first_name,note',
      'diego@contoso.test,Diego,1',
      'nestor@contoso.test,Nestor,2',
      'megan@contoso.test,Megan,3',
      'lea@contoso.test,Léa,4',
    ])
    const out = await merge(
      'app',
      start('app', paths, ['--from', 'adele@contoso.test,lea@contoso.test']),
    )
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stderr, /4 rows from adele@contoso\.test, lea@contoso\.test \(draft mode\)/)
    const rows = await report('app', 'app')
    const senders = ['adele@contoso.test', 'lea@contoso.test']
    assert.deepEqual(
      rows.map(({ row, mailbox, state }) => ({ row, mailbox, state })),
      [1, 2, 3, 4].map((row) => ({ row, mailbox: senders[(row - 1) % 2], state: 'sent' })),
    )
    for (const row of rows) {
      const received = (await system.client.messages(row.recipient)).find((message) =>
        message.subject.startsWith('app: for'),
      )
      assert.equal(received?.from?.emailAddress.address, row.mailbox, `row ${row.row}`)
      assert.equal(received?.internetMessageId, row.internetMessageId)
      assert.match(received!.body.content, new RegExp(`<p>${row.row}</p>`))
    }
    assert.equal((await sentCopies('adele@contoso.test', 'app')).size, 2)
    assert.equal((await sentCopies('lea@contoso.test', 'app')).size, 2)
    const state = await status('app', 'app')
    assert.deepEqual(
      { senders: state.senders, sent: state.sent, state: state.state },
      { senders: 'adele@contoso.test, lea@contoso.test', sent: 4, state: 'done' },
    )
  })

  test('not on a terminal, progress goes to stdout as JSON lines with the counts', async () => {
    const paths = files('progress', [
      'to,first_name,note',
      'lea@contoso.test,Léa,x',
      'megan@contoso.test,Megan,y',
    ])
    const out = await merge('delegated', start('progress', paths))
    assert.equal(out.code, 0, out.stderr)
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const progress = lines.filter((line) => line.type === 'progress')
    assert.ok(progress.length >= 1, out.stdout)
    assert.deepEqual(
      { ...progress.at(-1), perMinute: undefined, etaSeconds: undefined },
      {
        type: 'progress',
        total: 2,
        pending: 0,
        drafting: 0,
        drafted: 0,
        sending: 0,
        sent: 2,
        failed: 0,
        unknown: 0,
        cancelled: 0,
        perMinute: undefined,
        etaSeconds: undefined,
      },
    )
  })

  test('bad command lines: one line with the fix, exit 2 (resume of an unknown job: 1, naming the jobs), nothing sent', async () => {
    const paths = files('bad', ['to,first_name,note', 'lea@contoso.test,Léa,x'])
    const since = await system.client.mark()
    const body = ['--subject', 's', '--body-file', paths.template]
    const cases: [keyof typeof homes, string[], number, string | RegExp][] = [
      [
        'delegated',
        [paths.csv, ...body],
        2,
        'graph-connect merge: --name <job> is required: status, resume and report find the job by it.\n',
      ],
      [
        'delegated',
        [paths.csv, '--name', 'my job!', ...body],
        2,
        'graph-connect merge: --name must be letters, digits, ".", "_" or "-" (up to 64), got "my job!".\n',
      ],
      [
        'delegated',
        [paths.csv, '--name', 'bad', ...body, '--sends', '30'],
        2,
        'graph-connect merge: --sends must be <count>/<time>, e.g. 30/1m; got "30".\n',
      ],
      [
        'delegated',
        [paths.csv, '--name', 'bad', ...body, '--mode', 'fast'],
        2,
        'graph-connect merge: --mode must be auto, draft or direct, got "fast".\n',
      ],
      [
        'delegated',
        ['resume'],
        2,
        "graph-connect merge: resume needs the job's name: graph-connect merge resume <job>.\n",
      ],
      [
        'delegated',
        ['resume', 'nope'],
        1,
        /^graph-connect: No merge named "nope" in this journal \(it has: [^)]*\bdeleg\b[^)]*\)\. graph-connect merge status lists them; --journal chooses another journal\.\n$/,
      ],
      [
        'app',
        [paths.csv, '--name', 'bad', ...body],
        2,
        'graph-connect merge: an app-only connection has no mailbox of its own: say which mailbox(es) send with --from.\n',
      ],
    ]
    for (const [home, args, code, stderr] of cases) {
      const out = await merge(home, args)
      assert.equal(out.code, code, `${args.join(' ')}: ${out.stderr}`)
      if (typeof stderr === 'string') assert.equal(out.stderr, stderr)
      else assert.match(out.stderr, stderr)
      assert.equal(out.stdout, '', args.join(' '))
    }
    assert.deepEqual(await sendingCalls(since), [])
    assert.doesNotMatch((await merge('delegated', ['status'])).stdout, /\bbad\b/)
  })

  test('every row is checked before anything is sent: one bad row, nothing sent, exit 1', async () => {
    const paths = files('onebad', [
      'to,first_name,note',
      'lea@contoso.test,Léa,x',
      'megan@contoso.test,Megan,y',
      'diego@contoso.test,,z',
    ])
    const since = await system.client.mark()
    const out = await merge('delegated', start('onebad', paths))
    assert.equal(out.code, 1, out.stderr)
    assert.match(out.stdout, /row 3 \(line 4\): column "first_name" is empty/)
    assert.match(out.stderr, /nothing was sent: fix the rows above/)
    assert.deepEqual(await sendingCalls(since), [])
    assert.doesNotMatch((await merge('delegated', ['status'])).stdout, /onebad/)
  })

  test('direct mode: --mode direct sends each row with one sendMail', async () => {
    const paths = files('direct-rw', [
      'to,first_name,note',
      'lea@contoso.test,Léa,x',
      'diego@contoso.test,Diego,y',
    ])
    const since = await system.client.mark()
    const out = await merge('delegated', start('direct-rw', paths, ['--mode', 'direct']))
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stderr, /2 rows from adele@contoso\.test \(direct mode\)/)
    assert.deepEqual(
      (await sendingCalls(since)).map((call) => call.path),
      ['/v1.0/me/sendMail', '/v1.0/me/sendMail'],
    )
    assert.deepEqual(
      (await report('delegated', 'direct-rw')).map((row) => row.state),
      ['sent', 'sent'],
    )
  })

  test('direct mode without Mail.ReadWrite: a 504 on sendMail leaves the row unknown (exit 5), sent once; --resend-unknown sends it again', async () => {
    const paths = files('unknown', [
      'to,first_name,note',
      'lea@contoso.test,Léa,x',
      'diego@contoso.test,Diego,y',
      'nestor@contoso.test,Nestor,z',
    ])
    await system.client.addFault({
      match: { method: 'POST', path: '^/v1\\.0/me/sendMail$' },
      count: 1,
      action: { deliverThen: 504 },
    })
    const since = await system.client.mark()
    const out = await merge('direct', start('unknown', paths))
    assert.equal(out.code, 5, out.stderr)
    assert.match(out.stderr, /this connection has no Mail\.ReadWrite: direct mode/)
    assert.match(out.stderr, /sent 2, failed 0, unknown 1, cancelled 0, left 0 of 3/)
    assert.match(
      out.stderr,
      /1 row\(s\) unknown: .*graph-connect merge resume unknown --resend-unknown/,
    )
    const rows = await report('direct', 'unknown')
    const unknown = rows.filter((row) => row.state === 'unknown')
    assert.equal(unknown.length, 1, JSON.stringify(rows))
    const [lost] = unknown
    assert.match(lost!.error, /Sent Items/)
    assert.match(lost!.error, /merge resume --resend-unknown only if it is not there/)
    const sendsTo = async (from: number, recipient: string) =>
      (await sendingCalls(from)).filter((call) =>
        JSON.stringify(call.body).includes(`"address":"${recipient}"`),
      ).length
    assert.equal(await sendsTo(since, lost!.recipient), 1, 'the ambiguous send was not retried')
    assert.equal((await sendingCalls(since)).length, 3)
    assert.equal((await status('direct', 'unknown')).unknown, 1)

    const again = await system.client.mark()
    const resumed = await merge('direct', ['resume', 'unknown', '--resend-unknown'])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stderr, /1 unknown row\(s\) will be sent again\./)
    assert.deepEqual(
      (await sendingCalls(again)).map((call) => call.path),
      ['/v1.0/me/sendMail'],
    )
    assert.equal(await sendsTo(again, lost!.recipient), 1)
    assert.deepEqual(
      (await report('direct', 'unknown')).map((row) => row.state),
      ['sent', 'sent', 'sent'],
    )
  })

  /** A worker of a four-row job from `sender` (app-only: a mailbox no other test sends from), paced slowly. */
  function slowMerge(t: TestContext, label: string, sender: string, sends: string) {
    const paths = files(label, [
      'to,first_name,note',
      'lea@contoso.test,Léa,1',
      'megan@contoso.test,Megan,2',
      'adele@contoso.test,Adele,3',
      'nestor@contoso.test,Nestor,4',
    ])
    const args = start(label, paths, ['--from', sender, '--sends', sends])
    const worker = startCli(['merge', ...args], { env: env('app') })
    t.after(() => void worker.child.kill('SIGKILL'))
    return worker
  }

  test('merge cancel while a slowly paced worker runs: the worker ends "cancelled", the rest cancelled, nothing more sent', async (t) => {
    const worker = slowMerge(t, 'cancel', 'diego@contoso.test', '1/10s')
    await worker.waitForStderr(/rows from/)
    await until(async () => Number((await status('app', 'cancel')).sent) >= 1)
    const since = await system.client.mark()
    const cancel = await merge('app', ['cancel', 'cancel'])
    assert.equal(cancel.code, 0, cancel.stderr)
    assert.match(cancel.stderr, /merge "cancel" cancelled: rows not yet sent will not be/)
    const ended = await worker.exited
    assert.equal(ended.code, 0, ended.stderr)
    assert.match(
      ended.stderr,
      /merge "cancel" cancelled: sent 1, failed 0, unknown 0, cancelled 3, left 0 of 4\. graph-connect merge report cancel lists every row\./,
    )
    const states = (await report('app', 'cancel')).map((row) => row.state)
    assert.deepEqual(states.toSorted(), ['cancelled', 'cancelled', 'cancelled', 'sent'])
    assert.deepEqual(
      (await system.client.journal({ since, method: 'POST' }))
        .map((call) => call.path)
        .filter((path) => /\/send(Mail)?$/.test(path)),
      [],
      'no send after the cancel',
    )
    assert.equal((await sentCopies('diego@contoso.test', 'cancel')).size, 1)
    assert.equal((await status('app', 'cancel')).state, 'cancelled')
    const drafts = await system.client.messages('diego@contoso.test', { folder: 'drafts' })
    assert.deepEqual(
      drafts.filter((draft) => draft.subject.startsWith('cancel:')).map((draft) => draft.subject),
      [],
      'no draft of a cancelled row is left in Drafts',
    )
  })

  test('Ctrl-C stops a running merge (exit 1, resume advised); merge resume sends the rest; every row sent once', async (t) => {
    const worker = slowMerge(t, 'interrupt', 'nestor@contoso.test', '1/1s')
    await worker.waitForStderr(/rows from/)
    await until(async () => Number((await status('app', 'interrupt')).sent) >= 1)
    worker.child.kill('SIGINT')
    const stopped = await worker.exited
    assert.equal(stopped.code, 1, stopped.stderr)
    assert.match(stopped.stderr, /stopping: the rows in flight finish, then this worker stops/)
    assert.match(
      stopped.stderr,
      /merge "interrupt" stopped: sent \d, .* of 4\. Go on with graph-connect merge resume interrupt\./,
    )
    const before = await status('app', 'interrupt')
    assert.ok(Number(before.sent) < 4, `${before.sent} sent before resume`)
    const resumed = await merge('app', ['resume', 'interrupt'])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(
      resumed.stderr,
      /merge "interrupt" done: sent 4, failed 0, unknown 0, cancelled 0, left 0 of 4/,
    )
    const copies = await sentCopies('nestor@contoso.test', 'interrupt')
    assert.deepEqual(
      [...copies].sort(),
      ['Adele', 'Léa', 'Megan', 'Nestor'].map((name) => [`interrupt: for ${name}`, 1]),
    )
    assert.deepEqual(
      (await report('app', 'interrupt')).map((row) => row.state),
      ['sent', 'sent', 'sent', 'sent'],
    )
    const drafts = await system.client.messages('nestor@contoso.test', { folder: 'drafts' })
    assert.deepEqual(
      drafts.filter((message) => message.subject.startsWith('interrupt:')),
      [],
      'no draft of the merge is left behind',
    )
  })
})

/** Polls `check` until it holds (the worker is a separate process: its progress is seen through the journal). */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    assert.ok(Date.now() < deadline, 'timed out waiting')
    await sleep(100)
  }
}

/** The report's CSV (RFC 4180: quoted cells, CRLF lines) as rows, the header checked. */
function parseReport(csv: string): ReportRow[] {
  const cells = /("(?:[^"]|"")*"|[^",\r\n]*)(,|\r?\n|$)/gy
  const records: string[][] = []
  let record: string[] = []
  for (const [, cell, end] of csv.matchAll(cells)) {
    record.push(cell!.startsWith('"') ? cell!.slice(1, -1).replaceAll('""', '"') : cell!)
    if (end === ',') continue
    records.push(record)
    record = []
    if (!end) break
  }
  const [header, ...rows] = records.filter((fields) => fields.join('') !== '')
  assert.deepEqual(header, ['row', 'recipient', 'mailbox', 'state', 'internetMessageId', 'error'])
  return rows.map(([row, recipient, mailbox, state, internetMessageId, error]) => ({
    row: Number(row),
    recipient: recipient!,
    mailbox: mailbox!,
    state: state!,
    internetMessageId: internetMessageId!,
    error: error!,
  }))
}
