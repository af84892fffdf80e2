/**
 * `mergeProgress`: what a person follows while a merge runs — on a terminal, a bar (cli-progress) with the rate, the
 * time left and the rows by state; elsewhere, JSON lines (a progress line every few seconds, a line per row that
 * failed or is unknown). Counts come from the journal, so every worker sharing it — and `merge status --watch` in
 * another terminal — shows the same totals.
 */
import cliProgress from 'cli-progress'
import type { MergeEvent, MergeJournal, RowState } from '../../core/index.ts'

export interface ProgressView {
  /** A worker event (throttling, waits, failed or unknown rows). */
  event(event: MergeEvent): void
  /** Reads the journal's counts and redraws; called on a timer. */
  refresh(): Promise<void>
  /** The final state, drawn once more, and the bar left on its own line. */
  finish(): Promise<Counts>
}

export type Counts = Record<RowState, number>

const done = (counts: Counts) => counts.sent + counts.failed + counts.unknown + counts.cancelled

/** Rows finished per minute over the last minute or so of samples. */
function rateMeter() {
  const samples: { at: number; done: number }[] = []
  return (finished: number, now = Date.now()) => {
    samples.push({ at: now, done: finished })
    while (samples.length > 2 && now - samples[0]!.at > 60_000) samples.shift()
    const first = samples[0]!
    const minutes = (now - first.at) / 60_000
    return minutes > 0 ? (finished - first.done) / minutes : 0
  }
}

export function mergeProgress(
  journal: MergeJournal,
  jobId: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressView {
  const rate = rateMeter()
  let note = ''
  let last: Counts | undefined
  const sample = async () => {
    last = await journal.counts(jobId)
    return { counts: last, perMinute: rate(done(last)) }
  }
  if (!stream.isTTY) return jsonLines(sample, total)
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        '  {bar} {percentage}% {value}/{total} · {perMinute}/min · ETA {eta_formatted} · sent {sent} · failed {failed} · unknown {unknown}{note}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0, { perMinute: '0', sent: 0, failed: 0, unknown: 0, note: '' })
  const draw = async () => {
    const { counts, perMinute } = await sample()
    bar.update(done(counts), {
      perMinute: perMinute.toFixed(perMinute < 10 ? 1 : 0),
      sent: counts.sent,
      failed: counts.failed,
      unknown: counts.unknown,
      note,
    })
  }
  return {
    event(event) {
      if (event.type === 'throttled')
        note = ` · ${event.mailbox} throttled, ${Math.ceil(event.waitMs / 1000)} s`
      else if (event.type === 'waiting' && event.reason === 'recipients')
        note = ` · ${event.mailbox} at its daily recipients, ${Math.ceil(event.waitMs / 60_000)} min`
      else if (event.type === 'row' && event.state === 'sent') note = ''
    },
    refresh: draw,
    async finish() {
      await draw()
      bar.stop()
      return last!
    },
  }
}

/** Not a terminal: a JSON line of counts every few seconds (and at the end), one per failed or unknown row. */
function jsonLines(
  sample: () => Promise<{ counts: Counts; perMinute: number }>,
  total: number,
): ProgressView {
  let printedAt = 0
  let last: Counts | undefined
  const print = async (force: boolean) => {
    const { counts, perMinute } = await sample()
    last = counts
    if (!force && Date.now() - printedAt < 2_000) return
    printedAt = Date.now()
    const remaining = total - done(counts)
    const etaSeconds = perMinute > 0 ? Math.round((remaining / perMinute) * 60) : null
    const line = {
      type: 'progress',
      total,
      ...counts,
      perMinute: Math.round(perMinute * 10) / 10,
      etaSeconds,
    }
    process.stdout.write(`${JSON.stringify(line)}\n`)
  }
  return {
    event(event) {
      if (event.type === 'row' && (event.state === 'failed' || event.state === 'unknown'))
        process.stdout.write(`${JSON.stringify(event)}\n`)
      else if (event.type === 'throttled') process.stdout.write(`${JSON.stringify(event)}\n`)
    },
    refresh: () => print(false),
    async finish() {
      await print(true)
      return last!
    },
  }
}
