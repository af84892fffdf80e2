/** `progressBar`: an upload's progress on a terminal (stderr), redrawn at most ten times a second; silent elsewhere. */

export interface ProgressBar {
  /** `done` bytes of `total` are uploaded. */
  update(done: number): void
  /** Leaves the bar at its last state, on its own line. */
  finish(): void
}

const WIDTH = 28

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export function progressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined }
  let drawnAt = 0
  let last = 0
  const draw = (done: number) => {
    const ratio = total ? Math.min(1, done / total) : 1
    const filled = Math.round(ratio * WIDTH)
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
    stream.write(
      `\r\x1b[2K  ${label} [${bar}] ${percent}  ${megabytes(done)} / ${megabytes(total)}`,
    )
  }
  return {
    update(done) {
      last = done
      const now = Date.now()
      if (now - drawnAt < 100 && done < total) return
      drawnAt = now
      draw(done)
    },
    finish() {
      draw(last)
      stream.write('\n')
    },
  }
}
