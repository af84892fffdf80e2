/**
 * `Command`: one command of the command line — its name, what it does, its options (node:util parseArgs) and its run;
 * `EXIT`: the exit codes every command uses (written down in the usage text and the README).
 */
import type { ParseArgsOptionsConfig } from 'node:util'

export const EXIT = {
  /** Done (or running until a signal, then stopped cleanly). */
  ok: 0,
  /** Refused or failed: a configuration problem (each listed with its fix), a port taken, a file unreadable. */
  failed: 1,
  /** The command line itself is wrong: an unknown command or option, a bad option value. */
  usage: 2,
} as const

export interface Command {
  name: string
  /** One line for the list of commands. */
  summary: string
  /** The arguments after the name, e.g. "[--port 8001]". */
  synopsis: string
  /** The lines after the synopsis in `<command> --help`: options and settings. */
  details: string[]
  options: ParseArgsOptionsConfig
  run(values: Record<string, string | boolean | undefined>): Promise<number>
}
