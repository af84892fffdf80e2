/**
 * docs/CONFORMANCE.md's table names exactly the clients this suite proves, at the versions installed: a client
 * upgraded or added without regenerating the table (kit/table-reporter.ts) fails here.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { clientVersion } from './kit/client-version.ts'
import { pythonMsalVersion } from './kit/python-msal.ts'

const DOC = new URL('../../docs/CONFORMANCE.md', import.meta.url)
const NPM_CLIENTS = [
  '@azure/identity',
  '@azure/msal-node',
  '@microsoft/microsoft-graph-client',
  '@microsoft/msgraph-sdk',
  '@pnp/cli-microsoft365',
]

/** The rows between the table markers: `client@version`. */
function documented(): string[] {
  const text = readFileSync(DOC, 'utf8')
  const table = /<!-- table:begin -->([\s\S]*?)<!-- table:end -->/.exec(text)?.[1] ?? ''
  return table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| client '))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, client, version]) => `${client}@${version}`)
}

test('docs/CONFORMANCE.md names exactly the clients and versions installed', () => {
  const installed = [
    ...NPM_CLIENTS.map((name) => `${name}@${clientVersion(name)}`),
    `msal (Python)@${pythonMsalVersion()}`,
  ]
  assert.deepEqual(documented().sort(), installed.sort())
})
