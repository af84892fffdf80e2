/**
 * `openBrowser`: opens a URL in the user's browser — $BROWSER when set (as many tools read it), else the system's
 * opener (open, xdg-open, start) — without waiting for it; `canOpenBrowser`: whether that makes sense here.
 */
import { spawn } from 'node:child_process'
import type { Env } from './env.ts'

/** Over SSH, in CI, without a terminal or (Linux) without a display, a browser cannot be opened for the user. */
export function canOpenBrowser(env: Env, interactive: boolean): boolean {
  if (!interactive || env.CI) return false
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return false
  if (env.BROWSER) return true
  if (process.platform === 'linux') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  return true
}

/** Best effort: a failure to start the opener is ignored (the URL is printed too). */
export function openBrowser(url: string, env: Env): void {
  const [command, args] = opener(url, env)
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // printed anyway
  }
}

function opener(url: string, env: Env): [string, string[]] {
  const browser = env.BROWSER?.split(':')[0]?.trim()
  if (browser) {
    const parts = browser.split(/\s+/)
    const args = parts.slice(1)
    return [
      parts[0]!,
      args.some((arg) => arg.includes('%s'))
        ? args.map((arg) => arg.replace('%s', url))
        : [...args, url],
    ]
  }
  if (process.platform === 'darwin') return ['open', [url]]
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]]
  return ['xdg-open', [url]]
}
