/**
 * clientVersion(name): the version of an installed npm package, read from its package.json at run time (the one a bare
 * import of it loads: the project's top-level node_modules), so each conformance test names the client it proves.
 */
import { readFileSync } from 'node:fs'

const ROOT = new URL('../../../', import.meta.url)

export function clientVersion(name: string): string {
  const file = new URL(`node_modules/${name}/package.json`, ROOT)
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

/** `name@version`, as the test names and docs/CONFORMANCE.md write a client. */
export const clientLabel = (name: string) => `${name}@${clientVersion(name)}`
