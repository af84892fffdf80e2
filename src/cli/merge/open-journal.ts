/**
 * `openJournal`: the merge journal of the command line — `--journal`, else GRAPH_CONNECT_MERGE_JOURNAL, else the SQLite
 * file beside the connections — with request slots that count, if a worker dies holding them, as long as a request of
 * it could still be in flight: Graph's per-request timeout, plus the hold of a call that got no answer.
 */
import { MERGE_TIMING, openMergeJournal, type MergeJournal } from '../../core/index.ts'
import type { CliSettings } from '../cli-settings.ts'
import type { OptionValues } from '../command.ts'

export function openJournal(
  values: OptionValues,
  settings: Readonly<CliSettings>,
  options: { readOnly?: boolean; control?: boolean } = {},
): Promise<MergeJournal> {
  const hold = settings.mergeTiming.abandonedHoldMs ?? MERGE_TIMING.abandonedHoldMs
  return openMergeJournal(String(values.journal ?? settings.mergeJournal), {
    ...options,
    slotLeaseMs: settings.graphTimeoutMs + hold + 1_000,
  })
}
