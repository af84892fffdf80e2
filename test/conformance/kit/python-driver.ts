/**
 * PythonDriver: a Python conformance driver (test/conformance/python/*.py) as a child process speaking JSON lines —
 * `run(flow, onEvent)` sends one command, answers each event (a page to sign in at, a device code) with what
 * `onEvent` returns, and resolves with the flow's result.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'

type Line = { ready?: Record<string, string>; event?: PythonEvent; result?: FlowResult }
export type PythonEvent = Record<string, unknown> & { kind: string }
export type FlowResult = Record<string, unknown>

export class PythonDriver {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: AsyncIterator<string>
  readonly stderr: string[] = []
  /** The versions the driver printed first (msal, requests, python). */
  ready!: Record<string, string>

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()))
  }

  static async start(
    python: string,
    script: string,
    env: Record<string, string>,
  ): Promise<PythonDriver> {
    const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env
    const driver = new PythonDriver(
      spawn(python, [script], { env: { ...inherited, ...env }, stdio: 'pipe' }),
    )
    driver.ready = (await driver.#next()).ready!
    return driver
  }

  async run(
    flow: string,
    onEvent: (event: PythonEvent) => Promise<unknown> = async () => ({}),
  ): Promise<FlowResult> {
    this.#child.stdin.write(`${JSON.stringify({ run: flow })}\n`)
    for (;;) {
      const line = await this.#next()
      if (line.result) return line.result
      if (line.event) this.#child.stdin.write(`${JSON.stringify(await onEvent(line.event))}\n`)
    }
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.stdin.end()
    await exited
  }

  async #next(): Promise<Line> {
    const { value, done } = await this.#lines.next()
    if (done) throw new Error(`the Python driver ended:\n${this.stderr.join('')}`)
    return JSON.parse(value) as Line
  }
}
