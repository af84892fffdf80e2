/** scratchDir: a fresh folder under the OS's temporary folder, and the function that removes it. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function scratchDir(label = 'graph-connect-test'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
