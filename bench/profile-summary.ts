/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): the functions with the most self time,
 * and the project's own functions by inclusive time. Usage: node bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topText = '25'] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top]')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const top = Number(topText)
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id)

const selfMicros = new Map<number, number>()
let total = 0
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta)
  total += delta
})

const where = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')
  return `${node.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${node.callFrame.lineNumber + 1}` : ''}`.trim()
}

/** Who caused a sample: the nearest frame (leaf upwards) in a package (node_modules/<name>) or in src/<file>. */
const owner = (id: number): string => {
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const url = byId.get(current)?.callFrame.url ?? ''
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
    if (pkg) return `package ${pkg[1]}`
    const own = /\/(src\/.+)$/.exec(url)
    if (own) return own[1]
  }
  const name = byId.get(id)?.callFrame.functionName ?? ''
  return name.startsWith('(') ? name : '(node internals, no project frame)'
}

const owners = new Map<string, number>()
const self = new Map<string, number>()
const inclusive = new Map<string, number>()
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)
  if (!node) continue
  owners.set(owner(id), (owners.get(owner(id)) ?? 0) + micros)
  self.set(where(node), (self.get(where(node)) ?? 0) + micros)
  const seen = new Set<string>()
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const ancestor = byId.get(current)
    if (!ancestor) break
    const key = where(ancestor)
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + micros)
  }
}

const print = (title: string, entries: [string, number][]) => {
  console.log(`\n${title}`)
  for (const [name, micros] of entries.slice(0, top)) {
    console.log(
      `${((micros / total) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    )
  }
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`)
print(
  'By owner (nearest project file or package on the stack)',
  [...owners].sort((a, b) => b[1] - a[1]),
)
print(
  'Self time',
  [...self].sort((a, b) => b[1] - a[1]),
)
print(
  'Inclusive time, project code (src/)',
  [...inclusive].filter(([name]) => name.includes(' src/')).sort((a, b) => b[1] - a[1]),
)
