/**
 * The B1 plot: req/s and p99 per subject, drawn as SVG from the run's own results, rasterised to PNG by
 * Debian's headless chromium (playwright-core, no browser download). Without chromium the SVG is kept.
 */
import { writeFileSync } from 'node:fs'
import { launchChromium } from '../../test/kit/chromium.ts'

interface SubjectFigures {
  label: string
  perSecond: number
  p99: number
  cpuMsPerRequest: number
}

const COLORS: Record<string, string> = {
  app: '#0f6cbd',
  raw: '#6b6b6b',
  fastify: '#9a9a9a',
  express: '#c4314b',
}

export async function plotB1(
  b1: Record<string, unknown>,
  machine: { cpuModel: string; cpuCount: number; node: string; date: string },
  file: string,
) {
  const subjects = b1.subjects as Record<string, SubjectFigures>
  const cpu = Object.values(subjects)
    .map((s) => `${s.label} ${Math.round(s.cpuMsPerRequest * 1000)} µs`)
    .join(' · ')
  const svg = chartSvg(subjects, [
    `Server CPU per request: ${cpu}`,
    `${machine.cpuCount} × ${machine.cpuModel} · Node ${machine.node} · ${machine.date.slice(0, 10)} · load generator (autocannon, 50 connections) on core 0, each server alone on core 1`,
  ])
  const svgFile = file.replace(/\.png$/, '.svg')
  writeFileSync(svgFile, svg)
  try {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({
        viewport: { width: 960, height: 480 },
        deviceScaleFactor: 1,
      })
      await page.setContent(`<html><body style="margin:0">${svg}</body></html>`)
      await page.locator('svg').screenshot({ path: file })
    } finally {
      await browser.close()
    }
  } catch (error) {
    console.error(
      `plot: no PNG (${error instanceof Error ? error.message.split('\n')[0] : error}); SVG at ${svgFile}`,
    )
  }
}

function chartSvg(subjects: Record<string, SubjectFigures>, caption: string[]): string {
  const keys = ['raw', 'fastify', 'app', 'express'].filter((key) => subjects[key])
  const raw = subjects.raw?.perSecond
  const panel = (
    x: number,
    title: string,
    value: (s: SubjectFigures) => number,
    format: (n: number) => string,
  ) => {
    const max = Math.max(...keys.map((key) => value(subjects[key]))) || 1
    const bars = keys.map((key, index) => {
      const y = 84 + index * 64
      const width = Math.max(2, (value(subjects[key]) / max) * 190)
      return [
        `<text x="${x}" y="${y + 20}" font-size="14" fill="#242424">${escape(subjects[key].label)}</text>`,
        `<rect x="${x + 160}" y="${y}" width="${width.toFixed(1)}" height="30" rx="3" fill="${COLORS[key] ?? '#888'}"/>`,
        `<text x="${x + 166 + width}" y="${y + 20}" font-size="13" fill="#242424">${format(value(subjects[key]))}</text>`,
      ].join('')
    })
    return `<text x="${x}" y="66" font-size="15" font-weight="600" fill="#242424">${escape(title)}</text>${bars.join('')}`
  }
  const perSecond = (n: number) =>
    `${Math.round(n).toLocaleString('en-US')}/s${raw ? ` · ${(n / raw).toFixed(2)}× raw` : ''}`
  const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`
  const height = 130 + keys.length * 64
  return `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="${height}" viewBox="0 0 960 ${height}" font-family="DejaVu Sans, sans-serif">
<rect width="960" height="${height}" fill="#ffffff"/>
<text x="20" y="30" font-size="18" font-weight="700" fill="#242424">B1 — signed-in page GET /: same page size, same load, one core per server</text>
${panel(20, 'Requests per second (higher is better)', (s) => s.perSecond, perSecond)}
${panel(540, 'p99 latency (lower is better)', (s) => s.p99, ms)}
<text x="20" y="${height - 32}" font-size="12" fill="#616161">${escape(caption[0])}</text>
<text x="20" y="${height - 14}" font-size="12" fill="#616161">${escape(caption[1])}</text>
</svg>`
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
