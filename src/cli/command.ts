/**
 * `Command`: one command of the command line — its name, what it does, its options (node:util parseArgs), its
 * arguments and its run; `EXIT`: the exit codes every command uses (written down in the usage text and docs/CLI.md).
 */
import type { ParseArgsOptionsConfig } from 'node:util'

export const EXIT = {
  /** Done (or running until a signal, then stopped cleanly). */
  ok: 0,
  /** Refused or failed: a configuration problem (each listed with its fix), a port taken, a file unreadable. */
  failed: 1,
  /** The command line itself is wrong: an unknown command or option, a bad option value, a missing recipient. */
  usage: 2,
  /** Not signed in, or the sign-in expired or was revoked: run `graph-connect login`. */
  notSignedIn: 3,
  /** Microsoft Graph is throttling this app or mailbox beyond the retry budget: try again after the time said. */
  throttled: 4,
  /** A send whose outcome is unknown (a timeout, a reset, a 5xx): not retried; check Sent Items before resending. */
  outcomeUnknown: 5,
} as const

/** The exit codes as the usage text and the README say them. */
export const EXIT_CODES_TEXT = [
  'Exit codes: 0 done; 1 refused or failed (each problem is named with its fix); 2 a wrong command line.',
  '            3 not signed in, or the sign-in expired: run graph-connect login.',
  '            4 throttled by Microsoft Graph: try again after the time it said.',
  '            5 outcome unknown: the mail may have been sent; check Sent Items before sending again.',
].join('\n')

/** What a command received: its options, and the arguments after them. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>

export interface Command {
  name: string
  /** One line for the list of commands. */
  summary: string
  /** The arguments after the name, e.g. "[--port 8001]". */
  synopsis: string
  /** The lines after the synopsis in `<command> --help`: options and settings. */
  details: string[]
  options: ParseArgsOptionsConfig
  /** How many arguments it takes besides options (default none). */
  positionals?: { min: number; max: number }
  /** The process exits once `run` is done, whatever handles are left (keep-alive sockets, an emulator). */
  oneShot?: boolean
  run(values: OptionValues, positionals: string[]): Promise<number>
}
