/**
 * B1: the signed-in page GET / (session in the default SQLite store) against the same page from raw node:http,
 * from Fastify without session or template, and from the Microsoft sample's stack (Express + express-session + hbs).
 * All four servers run at once, each in its own process on the subject core, and are loaded in alternating rounds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAppStack } from '../lib/app-stack.ts'
import { Browser } from '../lib/browser.ts'
import { signInToApp } from '../lib/connect-app.ts'
import { measureInRounds, type Measured } from '../lib/measure.ts'
import { cores } from '../lib/options.ts'
import type { BenchOptions } from '../lib/options.ts'
import { round } from '../lib/stats.ts'
import { startSubject } from '../lib/subject.ts'
import type { Subject } from '../lib/subject.ts'

const reference = (file: string) => new URL(`../reference/${file}`, import.meta.url).pathname

export async function b1SignedInPage(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-b1-'))
  const started: { stop(): Promise<void> }[] = []
  try {
    const stack = await startAppStack(options, { dataDir: scratch, store: 'sqlite', profile: 'b1' })
    started.push(stack)
    const { home, cookie } = await signInToApp(stack.appUrl, stack.demo.users[0])
    const page = join(scratch, 'page.html')
    writeFileSync(page, home.body)
    const pageBytes = Buffer.byteLength(home.body)
    const start = async (label: string, file: string, args: string[]) => {
      const subject = await startSubject(label, reference(file), {
        args,
        cpu: cores(options).subject,
        verbose: options.verbose,
        env: { NODE_ENV: 'production' },
      })
      started.push(subject)
      return subject
    }
    const raw = await start('raw node:http', 'raw-node.ts', [page])
    const fastify = await start('Fastify, same page', 'fastify-page.ts', [page])
    const express = await start('Express reference', 'express-app.ts', [String(pageBytes)])
    const rounds = options.duration >= 6 ? 3 : 1
    const subjects = await measureInRounds(
      options,
      [
        { key: 'raw', label: raw.name, subject: raw, load: { url: `${raw.url}/` } },
        { key: 'fastify', label: fastify.name, subject: fastify, load: { url: `${fastify.url}/` } },
        {
          key: 'app',
          label: 'Graph Connect app',
          subject: stack.app,
          load: { url: `${stack.appUrl}/`, headers: { cookie } },
        },
        {
          key: 'express',
          label: express.name,
          subject: express,
          load: { url: `${express.url}/`, headers: { cookie: await expressCookie(express) } },
        },
      ],
      rounds,
    )
    return { pageBytes, rounds, subjects, ...ratiosOf(subjects) }
  } finally {
    for (const subject of started.reverse()) await subject.stop().catch(() => undefined)
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** The app and each reference against one another, by req/s and by each server's own CPU time per request. */
function ratiosOf(subjects: Record<string, Measured>) {
  return {
    ratios: {
      appToRaw: round(subjects.app.perSecond / subjects.raw.perSecond),
      appToExpress: round(subjects.app.perSecond / subjects.express.perSecond),
      fastifyToRaw: round(subjects.fastify.perSecond / subjects.raw.perSecond),
      expressToRaw: round(subjects.express.perSecond / subjects.raw.perSecond),
    },
    // The same ratios by the server's own CPU time per request: independent of the load generator's ceiling
    // (one autocannon process on one core saturates before raw node:http does) and of outside load.
    cpuRatios: {
      appToRaw: round(subjects.raw.cpuMsPerRequest / subjects.app.cpuMsPerRequest),
      appToExpress: round(subjects.express.cpuMsPerRequest / subjects.app.cpuMsPerRequest),
      fastifyToRaw: round(subjects.raw.cpuMsPerRequest / subjects.fastify.cpuMsPerRequest),
      expressToRaw: round(subjects.raw.cpuMsPerRequest / subjects.express.cpuMsPerRequest),
    },
  }
}

/** A signed-in session of the Express reference (what its sign-in callback leaves in express-session). */
async function expressCookie(express: Subject): Promise<string> {
  const browser = new Browser()
  await browser.follow(`${express.url}/_bench/sign-in`)
  return browser.cookieHeader(express.url)
}
