/**
 * `graph-connect messages` and `read ID` as processes against a real emulator, two named connections: a folder's
 * list in text, json, csv and md; --top, --unread (Graph's $filter), --search (refused by the emulator,
 * said); a message's headers, attachments and HTML body as readable text; and every command's --help and --version.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliEnv, deviceCodeLogin, runCli } from './kit/cli-process.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'

describe('messages and read', () => {
  let system: System
  let env: Record<string, string>
  const scratch = scratchDir('gc-cli-messages')
  const cli = (args: string[]) => runCli(args, { env })
  before(async () => {
    system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
    env = cliEnv(join(scratch.dir, 'home'), { EMULATOR_URL: system.emulator.url })
    assert.equal((await deviceCodeLogin([], { env }, system.user('adele'))).code, 0)
    assert.equal((await deviceCodeLogin(['-c', 'megan'], { env }, system.user('megan'))).code, 0)
    const page = join(scratch.dir, 'page.html')
    writeFileSync(
      page,
      '<h2>Launch plan</h2><p>Hello <b>Adele</b>,</p><ul><li>Monday: brief</li><li>Friday: launch</li></ul>' +
        '<p><a href="https://contoso.test/plan">The plan</a></p>',
    )
    const csv = join(scratch.dir, 'figures.csv')
    writeFileSync(csv, 'a,b\n1,2\n')
    for (const [subject, extra] of [
      ['First, with a comma', ['--body', 'one']],
      ['Plan', ['--body-file', page, '--attach', csv, '--cc', 'lea@contoso.test']],
    ] as const) {
      const sent = await cli([
        'send',
        '-c',
        'megan',
        '--to',
        'adele@contoso.test',
        '--subject',
        subject,
        ...extra,
      ])
      assert.equal(sent.code, 0, sent.stderr)
    }
  })
  after(async () => {
    await system.close()
    scratch.remove()
  })

  test('the inbox, newest first, in text; json, csv and md carry the same messages as data', async () => {
    const text = await cli(['messages'])
    assert.equal(text.code, 0, text.stderr)
    const lines = text.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^Received +From +Subject +Id$/)
    assert.match(
      lines[1]!,
      /^\d{4}-\d\d-\d\d \d\d:\d\d {2}\*@ +Megan Bowen <megan@contoso\.test> {2}Plan +\S+$/,
    )
    assert.match(lines[2]!, / \* +Megan Bowen <megan@contoso\.test> {2}First, with a comma/)
    const json = JSON.parse((await cli(['messages', '-o', 'json'])).stdout) as Record<
      string,
      unknown
    >[]
    assert.deepEqual(
      json.map((row) => [row.subject, row.isRead, row.hasAttachments]),
      [
        ['Plan', false, true],
        ['First, with a comma', false, false],
      ],
    )
    const csv = (await cli(['messages', '-o', 'csv'])).stdout.split('\r\n')
    assert.equal(csv[0], 'receivedDateTime,from,subject,isRead,hasAttachments,importance,id')
    assert.match(
      csv[2]!,
      /,Megan Bowen <megan@contoso\.test>,"First, with a comma",false,false,normal,/,
    )
    const md = (await cli(['messages', '-o', 'md'])).stdout.split('\n')
    assert.equal(
      md[0],
      '| receivedDateTime | from | subject | isRead | hasAttachments | importance | id |',
    )
    assert.match(
      md[2]!,
      /\| Megan Bowen &lt;megan@contoso\.test> \| Plan \| false \| true \| normal \|/,
    )
    const top = JSON.parse((await cli(['messages', '--top', '1', '-o', 'json'])).stdout)
    assert.equal(top.length, 1)
    const sent = JSON.parse(
      (await cli(['messages', '-c', 'megan', '--folder', 'sentitems', '-o', 'json'])).stdout,
    )
    assert.deepEqual(
      sent.map((row: { subject: string }) => row.subject),
      ['Plan', 'First, with a comma'],
    )
  })

  test('read ID: the headers, the attachment named, the HTML body as readable text; then --unread leaves it out', async () => {
    const [plan] = JSON.parse((await cli(['messages', '-o', 'json'])).stdout) as { id: string }[]
    const read = await cli(['read', plan!.id])
    assert.equal(read.code, 0, read.stderr)
    const [headers, body] = read.stdout.split('\n\n', 2) as [string, string]
    assert.match(headers, /^From: +Megan Bowen <megan@contoso\.test>$/m)
    assert.match(headers, /^To: +Adele Vance <adele@contoso\.test>$/m)
    assert.match(headers, /^Cc: +Léa Martin <lea@contoso\.test>$/m)
    assert.match(headers, /^Subject: +Plan$/m)
    assert.match(headers, /^Attachments: figures\.csv \(8 B\)$/m)
    assert.match(headers, /^Message-ID: +<[^>]+>$/m)
    assert.doesNotMatch(read.stdout, /<b>|<li>|<p>/)
    assert.match(
      read.stdout,
      /LAUNCH PLAN\n\nHello Adele,\n\n \* Monday: brief\n \* Friday: launch\n\nThe plan \[https:\/\/contoso\.test\/plan\]/,
    )
    assert.ok(body)
    const json = JSON.parse((await cli(['read', plan!.id, '-o', 'json'])).stdout)
    assert.equal(json.subject, 'Plan')
    assert.match(json.body, /^LAUNCH PLAN/)
    // Reading through Graph does not mark it read (only a PATCH isRead would): --unread ($filter) lists both.
    const unread = await cli(['messages', '--unread', '-o', 'json'])
    assert.equal(unread.code, 0, unread.stderr)
    assert.equal(JSON.parse(unread.stdout).length, 2)
    assert.equal(unread.stderr, '')
    assert.equal(
      JSON.parse(
        (await cli(['messages', '-c', 'megan', '--unread', '--folder', 'sentitems', '-o', 'json']))
          .stdout,
      ).length,
      0,
      'Sent Items copies are read',
    )
  })

  test('--search is said to be unsupported by the emulator (exit 1); a wrong id is not found (exit 1); --top 0 exit 2', async () => {
    const search = await cli(['messages', '--search', 'plan'])
    assert.equal(search.code, 1)
    assert.equal(
      search.stderr,
      'graph-connect: this Graph (the emulator) does not support --search ($search on message lists); Microsoft Graph does. Run without --search.\n',
    )
    const missing = await cli(['read', 'AAMk-no-such-message'])
    assert.equal(missing.code, 1)
    assert.match(
      missing.stderr,
      /^graph-connect: not found \(request-id [^)]+\): GET \S+ → 404 ErrorItemNotFound/,
    )
    const top = await cli(['messages', '--top', '0'])
    assert.equal(top.code, 2)
    assert.equal(
      top.stderr,
      'graph-connect messages: --top must be a number from 1 to 1000, got "0".\n',
    )
    const noId = await cli(['read'])
    assert.equal(noId.code, 2)
    assert.match(
      noId.stderr,
      /^graph-connect: read: missing an argument: graph-connect read <message id>/,
    )
  })
})

test('every command has --help (exit 0, its options); --version; the exit codes are in the usage', async () => {
  const env = cliEnv('/nonexistent-graph-connect-home')
  for (const name of ['login', 'logout', 'status', 'send', 'messages', 'read']) {
    const help = await runCli([name, '--help'], { env })
    assert.equal(help.code, 0, name)
    assert.match(help.stdout, new RegExp(`^Usage: graph-connect ${name}`))
    assert.match(
      help.stdout,
      name === 'logout' ? /--all/ : /--output, -o <f> +text \(default\), json, csv or md/,
    )
  }
  const usage = await runCli(['--help'], { env })
  assert.match(usage.stdout, /3 not signed in, or the sign-in expired: run graph-connect login\./)
  assert.match(usage.stdout, /4 throttled by Microsoft Graph/)
  assert.match(usage.stdout, /5 outcome unknown: the mail may have been sent; check Sent Items/)
  assert.match((await runCli(['--version'], { env })).stdout, /^graph-connect \d+\.\d+\.\d+\n$/)
})
