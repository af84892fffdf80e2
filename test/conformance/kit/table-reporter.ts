/**
 * A node:test reporter (default export) that prints the conformance table of docs/CONFORMANCE.md from a run: one row
 * per client (the `name@version` every conformance test name starts with), its flows, how many passed, and each todo
 * with its reason. `node --test --test-reporter=./test/conformance/kit/table-reporter.ts test/conformance/*.test.ts`
 */
import type { TestEvent } from 'node:test/reporters'

interface Row {
  version: string
  flows: string[]
  passed: number
  failed: string[]
  todo: string[]
}

const LABEL = /^(.+?)@(\d\S*) (.+)$/
/** Text for a Markdown table cell: no HTML, no column break. */
const cell = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')

export default async function* tableReporter(source: AsyncIterable<TestEvent>) {
  const rows = new Map<string, Row>()
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const { name, details, todo } = event.data as {
      name: string
      details: { type?: string }
      todo?: string | boolean
    }
    const label = LABEL.exec(name)
    if (details.type === 'suite' || !label) continue
    const [, client, version, flow] = label as unknown as [string, string, string, string]
    const row = rows.get(client) ?? { version, flows: [], passed: 0, failed: [], todo: [] }
    rows.set(client, row)
    row.flows.push(flow)
    if (todo) row.todo.push(`${flow} — ${String(todo)}`)
    else if (event.type === 'test:pass') row.passed++
    else row.failed.push(flow)
  }
  yield '| client | version | flows | pass | todo (reason) |\n|---|---|---|---|---|\n'
  for (const [client, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const flows = row.flows.map(cell).join('<br>')
    const failed = row.failed.length ? ` (**failed:** ${cell(row.failed.join('; '))})` : ''
    const todo = row.todo.map(cell).join('<br>') || '—'
    yield `| ${cell(client)} | ${row.version} | ${flows} | ${row.passed}/${row.flows.length}${failed} | ${todo} |\n`
  }
}
