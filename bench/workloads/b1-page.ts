// B1: the signed-in page GET / (session in the default SQLite store) against the same page from raw node:http,
// from Fastify without session or template, and from the Microsoft sample's stack (Express + express-session + hbs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAppStack } from '../lib/app-stack.ts'
import { Browser } from '../lib/browser.ts'
import { signInToApp } from '../lib/connect-app.ts'
import { measureSubject } from '../lib/measure.ts'
import type { Measured } from '../lib/measure.ts'
import { cores } from '../lib/options.ts'
import type { BenchOptions } from '../lib/options.ts'
import { round } from '../lib/stats.ts'
import { startSubject } from '../lib/subject.ts'

const reference = (file: string) => new URL(`../reference/${file}`, import.meta.url).pathname

export async function b1SignedInPage(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-b1-'))
  try {
    const subjects: Record<string, Measured> = {}
    const page = join(scratch, 'page.html')
    const stack = await startAppStack(options, { dataDir: scratch, store: 'sqlite', profile: 'b1' })
    let pageBytes: number
    try {
      const { home, cookie } = await signInToApp(stack.appUrl, stack.demo.users[0])
      writeFileSync(page, home.body)
      pageBytes = Buffer.byteLength(home.body)
      subjects.app = await measureSubject(options, stack.app, 'Graph Connect app', { url: `${stack.appUrl}/`, headers: { cookie } })
    } finally {
      await stack.stop()
    }
    subjects.raw = await measureReference(options, 'raw node:http', 'raw-node.ts', [page])
    subjects.fastify = await measureReference(options, 'Fastify, same page', 'fastify-page.ts', [page])
    subjects.express = await measureReference(options, 'Express reference', 'express-app.ts', [String(pageBytes)], true)
    return {
      pageBytes,
      subjects,
      ratios: {
        appToRaw: round(subjects.app.perSecond / subjects.raw.perSecond),
        appToExpress: round(subjects.app.perSecond / subjects.express.perSecond),
        fastifyToRaw: round(subjects.fastify.perSecond / subjects.raw.perSecond),
        expressToRaw: round(subjects.express.perSecond / subjects.raw.perSecond),
      },
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function measureReference(options: BenchOptions, label: string, file: string, args: string[], signIn = false) {
  const subject = await startSubject(label, reference(file), {
    args,
    cpu: cores(options).subject,
    verbose: options.verbose,
    env: { NODE_ENV: 'production' },
  })
  try {
    let cookie = ''
    if (signIn) {
      const browser = new Browser()
      await browser.follow(`${subject.url}/_bench/sign-in`)
      cookie = browser.cookieHeader(subject.url)
    }
    return await measureSubject(options, subject, label, { url: `${subject.url}/`, headers: cookie ? { cookie } : {} })
  } finally {
    await subject.stop()
  }
}
