/**
 * m365Cli(env): runs CLI for Microsoft 365 (@pnp/cli-microsoft365's dist/index.js) as a user runs `m365`, in a child
 * Node process with the real-hosts preload (login.microsoftonline.com and graph.microsoft.com dial the emulator),
 * its own HOME (config, token cache) and the test CA in NODE_EXTRA_CA_CERTS. Resolves with the exit code and output.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(
  new URL('../../../node_modules/@pnp/cli-microsoft365/dist/index.js', import.meta.url),
)
const PRELOAD = fileURLToPath(new URL('./real-hosts-preload.ts', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export function m365Cli(env: Record<string, string>) {
  const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env
  return (args: string[], onStderr: (text: string) => void = () => {}): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PRELOAD, CLI, ...args], {
        env: { ...inherited, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        onStderr(stderr)
      })
      child.on('error', reject)
      child.on('exit', (code) => resolve({ code, stdout, stderr }))
    })
}
