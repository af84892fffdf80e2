/**
 * `startTerminal`: a real terminal for a test — a private tmux server with one 120 × 40 shell, commands typed into
 * it as a person would, its screen read back (`screen`, `until`) and rendered by Chromium to a PNG (`screenshot`).
 */
import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { launchChromium } from './chromium.ts'
import { launcher } from './launched.ts'

export interface Terminal {
  /** Types the line and presses Enter. */
  type(line: string): void
  /** The screen, wrapped lines joined, trailing blanks dropped. */
  screen(): string
  /** The screen once it matches (polled: the terminal is drawn asynchronously). */
  until(pattern: RegExp, limitMs?: number): Promise<RegExpMatchArray>
  /** The screen as a terminal shows it: Chromium renders a <pre> of the captured pane to `path`. */
  screenshot(path: string): Promise<void>
  close(): void
}

/** A shell in `cwd` with only `env` (and PATH), `graph-connect` aliased to the launcher, the screen cleared. */
export function startTerminal(name: string, cwd: string, env: Record<string, string>): Terminal {
  const socket = `graph-connect-${name}-${process.pid}`
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  const vars = { PS1: '$ ', TERM: 'xterm-256color', ...env }
  tmux(
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '120',
    '-y',
    '40',
    'env',
    '-i',
    `PATH=${process.env.PATH}`,
    ...Object.entries(vars).map(([key, value]) => `${key}=${value}`),
    'sh',
  )
  const type = (line: string) => void tmux('send-keys', '-t', 'cli', line, 'Enter')
  type(`cd ${cwd} && alias graph-connect=${launcher} && clear`)
  const screen = () =>
    tmux('capture-pane', '-p', '-J', '-t', 'cli')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
  return {
    type,
    screen,
    async until(pattern, limitMs = 60_000) {
      const deadline = Date.now() + limitMs
      for (;;) {
        const match = screen().match(pattern)
        if (match) return match
        if (Date.now() > deadline)
          throw new Error(`the terminal never showed ${pattern}:\n${screen()}`)
        await sleep(100)
      }
    },
    async screenshot(path) {
      const captured = tmux('capture-pane', '-p', '-t', 'cli').trimEnd()
      const lines = captured.split('\n').length
      const text = captured.replace(/[&<>]/g, (char) => `&#${char.charCodeAt(0)};`)
      const browser = await launchChromium()
      try {
        const page = await browser.newPage({
          viewport: { width: 1150, height: Math.ceil(lines * 20.25 + 34) },
        })
        await page.setContent(
          `<body style="margin:0;background:#1e1e1e"><pre style="margin:0;padding:16px 18px;color:#e6e6e6;font:15px/1.35 'DejaVu Sans Mono',monospace">${text}</pre></body>`,
        )
        await page.screenshot({ path })
      } finally {
        await browser.close()
      }
    },
    close() {
      try {
        tmux('kill-server')
      } catch {
        // already gone
      }
    },
  }
}
