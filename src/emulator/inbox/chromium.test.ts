/**
 * The inbox viewer in real Chromium: a mail sent through Graph appears without a reload; search; a message, its
 * headers and its source; the read flag as Graph sees it; delete; mail scripts never run; axe-core finds no violation
 * of any impact in English and French, at desktop and phone widths; no CSP violation, no console error.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { Emulator } from '../app.ts'
import { CHROMIUM, launchChromium, watchPage } from '../../../test/kit/chromium.ts'
import { testEmulator } from '../../../test/kit/emulator-graph.ts'

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)
const skip = !existsSync(CHROMIUM) && `${CHROMIUM} is missing (apt-get install chromium)`

/** axe-core on the page (the mail body's frame is the sender's, not the viewer's): no violation, whatever its impact. */
async function assertAccessible(page: Page, label: string) {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>
        }
      }
    ).axe
    const results = await axe.run(document, { iframes: false })
    return results.violations.map(({ id, impact, nodes }) => ({
      id,
      impact,
      targets: nodes.map((node) => node.target),
    }))
  })
  assert.deepEqual(violations, [], `${label}: ${JSON.stringify(violations)}`)
}

/**
 * The lowest contrast of the unread badges' text on their own background. axe leaves one-digit text out of its
 * colour-contrast rule ("too short to determine if it is actual text"), so the badges are measured here.
 */
function badgeContrast(page: Page): Promise<number> {
  return page.evaluate(() => {
    const rgb = (colour: string) => colour.match(/[\d.]+/g)!.map(Number)
    const luminance = (colour: string) => {
      const [r, g, b] = rgb(colour).map((value) => {
        const c = value / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    const ratios = [...document.querySelectorAll('.count')].map((badge) => {
      const style = getComputedStyle(badge)
      if (rgb(style.backgroundColor)[3] === 0) return 0 // transparent: measured against nothing
      const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)].sort(
        (a, b) => b - a,
      )
      return (light! + 0.05) / (dark! + 0.05)
    })
    return ratios.length ? Math.min(...ratios) : Number.NaN
  })
}

describe('the inbox viewer in Chromium', { skip }, () => {
  let emulator: Emulator
  let browser: Browser
  before(async () => {
    emulator = await testEmulator()
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    await send('megan@contoso.test', 'Quarterly numbers', {
      contentType: 'HTML',
      content:
        '<p>The numbers are in.</p><script>alert("mail script")</script><img src=x onerror="alert(2)">',
    })
  })
  after(async () => {
    await browser?.close()
    await emulator?.close()
  })

  /** Sends a mail to Léa through Graph's sendMail, as an app would. */
  async function send(
    from: string,
    subject: string,
    body = { contentType: 'Text', content: subject },
  ) {
    const token = await emulator.client.issueToken({ user: from })
    const response = await fetch(`${emulator.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject,
          body,
          toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
        },
      }),
    })
    assert.equal(response.status, 202)
  }

  /** Léa's copy, as a Graph client reads it with an app token. */
  async function graphIsRead(subject: string): Promise<boolean> {
    const token = await emulator.client.issueToken({ roles: ['Mail.Read'] })
    const lea = emulator.demo.users.find((user) => user.userPrincipalName === 'lea@contoso.test')!
    const response = await fetch(`${emulator.url}/v1.0/users/${lea.id}/messages?$top=50`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const { value } = (await response.json()) as {
      value: { subject: string; isRead: boolean; parentFolderId: string }[]
    }
    return value.find((message) => message.subject === subject)!.isRead
  }

  async function open(locale: string, viewport = { width: 1280, height: 860 }) {
    const context = await browser.newContext({ locale, viewport })
    const page = await context.newPage()
    const watch = await watchPage(page)
    const errors: string[] = []
    /** What the mail body's frame reports: its scripts and fetches, blocked. */
    const blocked: string[] = []
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      const { url } = message.location()
      ;(url.includes('/inbox/body/') ? blocked : errors).push(`${message.text()} (${url})`)
    })
    page.on('pageerror', (error) => errors.push(error.message))
    return { page, watch, errors, blocked, close: () => context.close() }
  }

  it('shows new mail live, searches, opens a message and its source, marks it, deletes it (en-US)', async () => {
    const { page, watch, errors, blocked, close } = await open('en-US')
    await page.goto(`${emulator.url}/`)
    await assertAccessible(page, 'all mail')
    assert.ok((await badgeContrast(page)) >= 4.5, 'unread badges: WCAG AA contrast')
    await page.evaluate(() => ((globalThis as { loaded?: number }).loaded = 1))
    await page.waitForFunction(() => document.querySelector('#q') !== null)
    await send('adele@contoso.test', 'Arrives live')
    await page.waitForSelector('.messages .subject:has-text("Arrives live")', { timeout: 10_000 })
    assert.equal(
      await page.evaluate(() => (globalThis as { loaded?: number }).loaded),
      1,
      'no reload',
    )
    await page.waitForFunction(() =>
      document.getElementById('live')?.textContent?.includes('Arrives live'),
    )
    assert.equal(await page.textContent('#live'), 'New message: Arrives live')

    // Search by keyboard: the search box, words, Enter.
    await page.focus('#q')
    await page.keyboard.type('from:megan')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\?q=from%3Amegan$/)
    const found = await page.$$eval('.messages .subject', (nodes) =>
      nodes.map((node) => node.textContent?.trim()),
    )
    assert.equal(found.length, 2, 'only Megan’s mail: her Sent Items copy and Léa’s')
    for (const subject of found) assert.match(subject!, /Quarterly numbers$/)

    await page.click('.messages a:has-text("Léa Martin · Inbox")')
    await page.waitForSelector('iframe.body')
    assert.match((await page.textContent('#message-title')) ?? '', /Quarterly numbers/)
    await assertAccessible(page, 'a message')
    assert.equal(await graphIsRead('Quarterly numbers'), false)
    await page.click('#message-actions button:has-text("Mark as read")')
    await page.waitForSelector('#message-actions button:has-text("Mark as unread")')
    assert.equal(await graphIsRead('Quarterly numbers'), true, 'Graph sees it read')
    await page.click('#message-actions button:has-text("Mark as unread")')
    await page.waitForSelector('#message-actions button:has-text("Mark as read")')
    assert.equal(await graphIsRead('Quarterly numbers'), false, 'and unread again')

    await page.click('.tabs a:has-text("Headers")')
    await page.waitForSelector('table.fields')
    await assertAccessible(page, 'headers')
    await page.click('.tabs a:has-text("Source")')
    const source = (await page.textContent('.source pre')) ?? ''
    assert.match(source, /^From: Megan Bowen <megan@contoso\.test>\r?\n/)
    assert.match(source, /MIME-Version: 1\.0/)
    assert.match(source, /<script>alert\("mail script"\)<\/script>/, 'the body as text')
    await assertAccessible(page, 'source')

    await page.click('#message-actions button:has-text("Delete")')
    await page.waitForURL(/\/\?q=from%3Amegan$/)
    const left = (await page.textContent('.list')) ?? ''
    assert.doesNotMatch(left, /Léa Martin · Inbox/, 'Léa’s copy is gone')
    assert.match(left, /Megan Bowen · Sent Items/, 'the sender’s copy stays')
    assert.deepEqual(watch.violations, [], 'no CSP violation')
    assert.deepEqual(watch.dialogs, [], 'no script of the mail ran')
    assert.ok(
      blocked.some((text) => text.startsWith('Blocked script execution')),
      'the sandbox refused the mail its scripts',
    )
    assert.deepEqual(errors, [])
    await close()
  })

  it('speaks French, with dates in French and local time, and passes axe at desktop and phone widths (fr-FR)', async () => {
    await send('diego@contoso.test', 'Réunion de lundi')
    const { page, watch, errors, close } = await open('fr-FR')
    await page.goto(`${emulator.url}/inbox/lea%40contoso.test/inbox`)
    assert.equal(await page.getAttribute('html', 'lang'), 'fr')
    assert.match((await page.textContent('h1')) ?? '', /^Boîte de réception — Léa Martin$/)
    await assertAccessible(page, 'folder (fr)')
    await page.click('.messages a:has-text("Réunion de lundi")')
    await page.waitForSelector('iframe.body')
    const date = page.locator('time[data-format="long"]')
    const iso = (await date.getAttribute('datetime'))!
    const expected = await page.evaluate(
      (value) =>
        new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short' }).format(
          new Date(value),
        ),
      iso,
    )
    assert.equal(await date.textContent(), expected, 'formatted in French, in the local time zone')
    await assertAccessible(page, 'message (fr)')
    await page.click('.tabs a:has-text("Source")')
    await assertAccessible(page, 'source (fr)')
    await page.setViewportSize({ width: 390, height: 844 })
    await assertAccessible(page, 'message at phone width (fr)')
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no sideways scrolling at phone width',
    )
    await page.goto(`${emulator.url}/`)
    await assertAccessible(page, 'all mail at phone width (fr)')
    assert.deepEqual(watch.violations, [])
    assert.deepEqual(errors, [])
    await close()
  })

  it('works without JavaScript: links navigate, forms act, dates read in UTC', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' })
    const page = await context.newPage()
    await page.goto(`${emulator.url}/inbox/lea%40contoso.test/inbox`)
    await page.click('.messages a')
    assert.match((await page.textContent('time[data-format="long"]')) ?? '', / UTC$/)
    await page.click('.tabs a:has-text("Headers")')
    await page.waitForSelector('table.fields')
    const label = (await page.textContent('#message-actions button')) ?? ''
    await page.click('#message-actions button')
    await page.waitForSelector('table.fields') // back on the same view
    assert.notEqual(
      await page.textContent('#message-actions button'),
      label,
      'the form changed the flag',
    )
    await context.close()
  })

  it('is usable by keyboard: skip link, then the mailboxes, a message, its actions', async () => {
    const { page, close } = await open('en-US')
    await page.goto(`${emulator.url}/`)
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to messages')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    const first = await page.evaluate(() => document.activeElement?.closest('.messages') !== null)
    assert.ok(first, 'after the skip link, Tab reaches the first message')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#message-actions')
    await page.focus('#message-actions button')
    const label = await page.textContent('#message-actions button')
    await page.keyboard.press('Enter')
    const other = label === 'Mark as read' ? 'Mark as unread' : 'Mark as read'
    await page.waitForSelector(`#message-actions button:has-text("${other}")`)
    await close()
  })
})
