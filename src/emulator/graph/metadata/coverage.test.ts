/** docs/COVERAGE.md is what tools/coverage.ts makes of the emulator's routes and Graph's metadata today. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { COVERAGE_FILE, coverageOperations, renderCoverage } from '../../../../tools/coverage.ts'

describe('docs/COVERAGE.md', () => {
  it('is up to date with the route table and the metadata', async () => {
    assert.ok(
      readFileSync(COVERAGE_FILE, 'utf8') === (await renderCoverage()),
      'docs/COVERAGE.md is stale: run node tools/coverage.ts and commit it',
    )
  })

  it('tells a routed operation from a key taken for its name', async () => {
    const operations = await coverageOperations()
    const find = (method: string, path: string) =>
      operations.find((operation) => operation.method === method && operation.path === path)
    assert.equal(find('GET', '/me/messages/{id}')?.emulated, true)
    assert.equal(find('GET', '/me/messages/delta')?.emulated, false, 'not the message "delta"')
    assert.equal(find('POST', '/me/messages/{id}/send')?.emulated, true)
    assert.equal(find('POST', '/me/messages/{id}/reply')?.emulated, false)
  })
})
