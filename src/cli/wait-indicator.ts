/** `waitIndicator`: a visible wait on a terminal (a spinner and the time elapsed, on stderr); one line elsewhere. */

export interface WaitIndicator {
  stop(): void
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** Redrawn every quarter second on a terminal; printed once when stderr is a file or a pipe (CI logs). */
export function waitIndicator(
  text: string,
  stream: NodeJS.WriteStream = process.stderr,
): WaitIndicator {
  if (!stream.isTTY) {
    stream.write(`${text}\n`)
    return { stop: () => undefined }
  }
  const started = Date.now()
  let frame = 0
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000)
    const elapsed = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text} ${elapsed}`)
  }
  draw()
  const timer = setInterval(draw, 250)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      stream.write('\r\x1b[2K')
    },
  }
}
