/**
 * PYTHON (Debian's interpreter, the one python3-msal is installed for; CONFORMANCE_PYTHON overrides it) and
 * pythonMsalVersion(): the installed MSAL Python's version, read from the package itself ('' when it is missing).
 */
import { spawnSync } from 'node:child_process'

export const PYTHON = process.env.CONFORMANCE_PYTHON ?? '/usr/bin/python3'

export function pythonMsalVersion(): string {
  const run = spawnSync(PYTHON, ['-c', 'import msal; print(msal.__version__)'], {
    encoding: 'utf8',
  })
  return run.status === 0 ? run.stdout.trim() : ''
}
