/**
 * `graph-connect send` as a process against a real emulator: what arrives (recipients, Markdown rendered, stdin
 * bodies), the draft path with an upload session and its internetMessageId, --draft, --no-save, --output json; bad
 * input refused in one line before anything is sent; 504 → exit 5 sent once, 429 → exit 4.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliEnv, deviceCodeLogin, runCli } from './kit/cli-process.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'

describe('send', () => {
  let system: System
  let env: Record<string, string>
  const scratch = scratchDir('gc-cli-send')
  const send = (args: string[], input?: string) => runCli(['send', ...args], { env, input })
  const inbox = (upn: string, folder = 'inbox') => system.client.messages(upn, { folder })
  before(async () => {
    system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
    env = cliEnv(join(scratch.dir, 'home'), { EMULATOR_URL: system.emulator.url })
    const login = await deviceCodeLogin([], { env }, system.user('adele'))
    assert.equal(login.code, 0, login.stderr)
  })
  after(async () => {
    await system.close()
    scratch.remove()
  })

  test('a text mail arrives; the output names the recipients, the size, and says the internetMessageId is not known', async () => {
    const since = await system.client.mark()
    const out = await send(['--to', 'lea@contoso.test', '--subject', 'Hi', '--body', 'Hello'])
    assert.equal(out.code, 0, out.stderr)
    assert.equal(
      out.stdout,
      'Sent "Hi" from adele@contoso.test to lea@contoso.test (1 recipient, 5 B).\n' +
        '  Graph: one POST /sendMail, accepted (202); a copy in Sent Items.\n' +
        '  internetMessageId: not known (sendMail answers 202 with no id; find the copy in Sent Items)\n',
    )
    const [received] = await inbox('lea@contoso.test')
    assert.equal(received?.subject, 'Hi')
    assert.deepEqual(received?.body, { contentType: 'text', content: 'Hello' })
    const calls = await system.client.journal({ since, method: 'POST' })
    assert.deepEqual(
      calls.map((call) => call.path),
      ['/v1.0/me/sendMail'],
    )
  })

  test('Markdown from a file is rendered to HTML; --to/--cc repeated or comma lists, --bcc hidden, --importance', async () => {
    const file = join(scratch.dir, 'note.md')
    writeFileSync(
      file,
      '# Quarterly\n\nNumbers are *up*; see [the report](https://contoso.test/q).\n',
    )
    const out = await send([
      '--to',
      'lea@contoso.test,megan@contoso.test',
      '--cc',
      'diego@contoso.test',
      '--bcc',
      'nestor@contoso.test',
      '--subject',
      'Markdown',
      '--body-file',
      file,
      '--importance',
      'high',
    ])
    assert.equal(out.code, 0, out.stderr)
    assert.match(
      out.stdout,
      /to lea@contoso\.test, megan@contoso\.test, cc diego@contoso\.test, bcc nestor@contoso\.test \(4 recipients/,
    )
    const [received] = await inbox('megan@contoso.test')
    assert.equal(received?.subject, 'Markdown')
    assert.equal(received?.importance, 'high')
    assert.equal(received?.body.contentType, 'html')
    assert.match(received!.body.content, /<h1>Quarterly<\/h1>/)
    assert.match(
      received!.body.content,
      /<em>up<\/em>; see <a href="https:\/\/contoso\.test\/q">the report<\/a>/,
    )
    assert.deepEqual(received?.bccRecipients, [])
    assert.equal((await inbox('nestor@contoso.test'))[0]?.subject, 'Markdown')
  })

  test('the body from stdin ("-"), as HTML', async () => {
    const out = await send(
      ['--to', 'lea@contoso.test', '--subject', 'Stdin', '--body', '-', '--format', 'html'],
      '<p>From <b>stdin</b></p>',
    )
    assert.equal(out.code, 0, out.stderr)
    const [received] = await inbox('lea@contoso.test')
    assert.deepEqual(received?.body, { contentType: 'html', content: '<p>From <b>stdin</b></p>' })
  })

  test('a 5 MB attachment goes up through a draft and an upload session; the internetMessageId printed is the delivered one', async () => {
    const file = join(scratch.dir, 'big.bin')
    writeFileSync(file, Buffer.alloc(5 * 1024 * 1024, 7))
    const since = await system.client.mark()
    const out = await send([
      '--to',
      'lea@contoso.test',
      '--subject',
      'Large',
      '--body',
      'See attached',
      '--attach',
      file,
    ])
    assert.equal(out.code, 0, out.stderr)
    const id = /internetMessageId: (<[^>]+>)/.exec(out.stdout)?.[1]
    assert.ok(id, out.stdout)
    const [received] = await inbox('lea@contoso.test')
    assert.equal(received?.subject, 'Large')
    assert.equal(received?.internetMessageId, id)
    assert.equal(received?.attachments[0]?.size, 5 * 1024 * 1024)
    const paths = (await system.client.journal({ since })).map(
      (call) => `${call.method} ${call.path.replace(/'[^']*'/g, "'…'")}`,
    )
    assert.ok(paths.includes('POST /v1.0/me/messages'), paths.join('\n'))
    assert.ok(paths.some((path) => path.endsWith('/attachments/createUploadSession')))
    assert.equal(paths.filter((path) => path.startsWith('PUT /api/v2.0/')).length, 2, '4 MB ranges')
    assert.ok(paths.some((path) => /^POST \/v1\.0\/me\/messages\/[^/]+\/send$/.test(path)))
  })

  test('--draft leaves it in Drafts, delivered to no one; --no-save keeps no copy in Sent Items', async () => {
    const draft = await send([
      '--to',
      'lea@contoso.test',
      '--subject',
      'Not yet',
      '--body',
      'x',
      '--draft',
    ])
    assert.equal(draft.code, 0, draft.stderr)
    assert.match(draft.stdout, /^Saved as a draft "Not yet"/)
    assert.match(draft.stdout, /Draft id: \S+/)
    assert.equal((await inbox('adele@contoso.test', 'drafts'))[0]?.subject, 'Not yet')
    assert.ok(!(await inbox('lea@contoso.test')).some((message) => message.subject === 'Not yet'))
    const quiet = await send([
      '--to',
      'lea@contoso.test',
      '--subject',
      'No copy',
      '--body',
      'x',
      '--no-save',
    ])
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.match(quiet.stdout, /no copy in Sent Items \(--no-save\)/)
    assert.ok(
      !(await inbox('adele@contoso.test', 'sentitems')).some(
        (message) => message.subject === 'No copy',
      ),
    )
    assert.equal((await inbox('lea@contoso.test'))[0]?.subject, 'No copy')
  })

  test('--output json says what was done as data', async () => {
    const out = await send([
      '--to',
      'lea@contoso.test',
      '--subject',
      'Json',
      '--body',
      'x',
      '-o',
      'json',
    ])
    assert.equal(out.code, 0, out.stderr)
    const report = JSON.parse(out.stdout)
    assert.deepEqual(
      { ...report },
      {
        status: 'sent',
        from: 'adele@contoso.test',
        to: ['lea@contoso.test'],
        cc: [],
        bcc: [],
        subject: 'Json',
        bodyType: 'text',
        bytes: 1,
        attachments: [],
        importance: 'normal',
        path: 'sendMail',
        savedToSentItems: true,
        internetMessageId: null,
      },
    )
  })

  test('bad input: one line with the fix each, exit 2 (command line) or 1 (files), and nothing sent', async () => {
    const since = await system.client.mark()
    const sparse = join(scratch.dir, 'huge.bin')
    const handle = openSync(sparse, 'w')
    ftruncateSync(handle, 151 * 1024 * 1024)
    closeSync(handle)
    const cases: [string[], number, string][] = [
      [
        ['--subject', 'x'],
        2,
        'graph-connect send: --to is required: give at least one recipient, e.g. --to lea@contoso.test.\n',
      ],
      [
        ['--to', 'lea@contoso.test,nobody'],
        2,
        'graph-connect send: --to "nobody" is not an e-mail address: fix it (several: repeat --to, or separate with commas).\n',
      ],
      [
        ['--to', 'lea@contoso.test', '--attach', '/nonexistent/report.pdf'],
        1,
        'graph-connect send: cannot read the attachment /nonexistent/report.pdf: ENOENT. Fix the path.\n',
      ],
      [
        ['--to', 'lea@contoso.test', '--attach', sparse],
        1,
        `graph-connect send: the attachment ${sparse} is 151.0 MB: Microsoft Graph accepts attachments up to 150 MB. Nothing was sent; share a link to it instead.\n`,
      ],
      [
        ['--to', 'lea@contoso.test', '--body', 'a', '--body-file', 'b'],
        2,
        'graph-connect send: give --body or --body-file, not both.\n',
      ],
      [
        ['--to', 'lea@contoso.test', '--format', 'rtf'],
        2,
        'graph-connect send: --format must be text, html or markdown, got "rtf".\n',
      ],
      [
        ['--to', 'lea@contoso.test', '--importance', 'urgent'],
        2,
        'graph-connect send: --importance must be low, normal or high.\n',
      ],
    ]
    for (const [args, code, stderr] of cases) {
      const out = await send(args)
      assert.equal(out.code, code, args.join(' '))
      assert.equal(out.stderr, stderr)
      assert.equal(out.stdout, '')
    }
    const unknown = await send(['--to', 'lea@contoso.test', '--cc-all'])
    assert.equal(unknown.code, 2)
    assert.match(
      unknown.stderr,
      /^graph-connect: send: Unknown option '--cc-all'\. Did you mean --cc\?\n\nUsage: graph-connect send/,
    )
    assert.deepEqual(await system.client.journal({ since, method: 'POST' }), [])
  })

  test('a 504 on sendMail: exit 5, the outcome unknown said with what to check, and sent once — never retried', async () => {
    await system.client.addFault({
      match: { method: 'POST', path: '/me/sendMail$' },
      count: 1,
      action: { status: 504 },
    })
    const since = await system.client.mark()
    const out = await send(['--to', 'lea@contoso.test', '--subject', 'Ambiguous', '--body', 'x'])
    assert.equal(out.code, 5, out.stderr)
    assert.match(
      out.stderr,
      /^graph-connect: the outcome of the send is unknown \(HTTP 504 on POST …\/sendMail\): the mail may have been sent\. It was not retried, so that it is not sent twice; check Sent Items \(graph-connect messages --folder sentitems\) before sending again\.\n$/,
    )
    assert.equal(
      (await system.client.journal({ since, method: 'POST', path: '/sendMail' })).length,
      1,
    )
  })

  test('RE-04: delivered, then the answer lost (504): the copy in Sent Items, found by its key, says sent — exit 0, sent once', async () => {
    await system.client.addFault({
      match: { method: 'POST', path: '/me/sendMail$' },
      count: 1,
      action: { deliverThen: 504 },
    })
    const since = await system.client.mark()
    const out = await send(['--to', 'lea@contoso.test', '--subject', 'Lost answer', '--body', 'x'])
    assert.equal(out.code, 0, out.stderr)
    assert.match(
      out.stdout,
      /^Sent "Lost answer" from adele@contoso\.test to lea@contoso\.test \(1 recipient, 1 B\)\.\n {2}Graph's answer was lost; the copy in Sent Items, found by the key the message carried, says it was sent\.\n {2}internetMessageId: <[^>]+>\n$/,
    )
    assert.equal(
      (await system.client.journal({ since, method: 'POST', path: '/sendMail' })).length,
      1,
    )
    const lookups = await system.client.journal({ since, method: 'GET', path: /\/me\/messages$/ })
    assert.ok(lookups.length >= 1, 'looked up by its key')
    const received = (await inbox('lea@contoso.test')).filter(
      (mail) => mail.subject === 'Lost answer',
    )
    assert.equal(received.length, 1)
  })

  test('throttled beyond the retry budget (429, Retry-After 120 s): exit 4, when to try again said', async () => {
    await system.client.addFault({
      match: { method: 'POST', path: '/me/sendMail$' },
      count: 1,
      action: { status: 429, retryAfter: 120 },
    })
    const out = await send(['--to', 'lea@contoso.test', '--subject', 'Throttled', '--body', 'x'])
    assert.equal(out.code, 4, out.stderr)
    assert.equal(
      out.stderr,
      'graph-connect: Microsoft Graph is throttling this app or mailbox (HTTP 429); nothing was done. Try again in 120 s.\n',
    )
  })
})
