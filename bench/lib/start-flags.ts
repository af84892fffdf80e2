// The Node flags `npm start` runs the app with (package.json's start script: V8 heap sizes, the compile-cache preload),
// so that the bench's app processes (B1–B4 app subject, B4 cold start) measure what users run.
import { readFileSync } from 'node:fs'

const PACKAGE = new URL('../../package.json', import.meta.url)

/** The `--…` arguments between `node` and the script in package.json's start script; `--import=./…` made absolute. */
export function startNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(PACKAGE, 'utf8')) as {
    scripts?: Record<string, string>
  }
  const words = (scripts?.start ?? '').trim().split(/\s+/)
  if (words[0] !== 'node')
    throw new Error(`package.json start script does not start with node: ${scripts?.start}`)
  const flags: string[] = []
  for (const word of words.slice(1)) {
    if (!word.startsWith('-')) break
    // npm runs the script in the package folder; the bench's processes run elsewhere (e.g. in a temporary data folder).
    const preload = /^--import=(\.\.?\/.*)$/.exec(word)
    flags.push(preload ? `--import=${new URL(preload[1], PACKAGE).href}` : word)
  }
  return flags
}
