/**
 * What the mail commands share: `--connection` (`CONNECTION_OPTION`, `connectionName`), with `--output`
 * (`formatAndConnection`), the settings read once (`settingsOrExit`) and the usage line (`usageProblem`).
 */
import { CONNECTION_NAME } from '../core/index.ts'
import { readCliSettings, type CliSettings } from './cli-settings.ts'
import { EXIT, type OptionValues } from './command.ts'
import { outputFormat, type OutputFormat } from './output.ts'
import { readEnv, type Env } from './env.ts'

export const CONNECTION_OPTION = {
  connection: { type: 'string', short: 'c', default: 'default' },
} as const

export const CONNECTION_HELP =
  '--connection, -c <name>  the named sign-in to use (default "default"); login makes it'

/** The connection name, or the usage problem. */
export function connectionName(values: OptionValues): string | { problem: string } {
  const name = String(values.connection ?? 'default')
  return CONNECTION_NAME.test(name)
    ? name
    : {
        problem: `--connection must be letters, digits, ".", "_" or "-" (up to 64), got "${name}".`,
      }
}

/** A wrong command line: one line with the fix, exit 2. */
export function usageProblem(command: string, problem: string): number {
  process.stderr.write(`graph-connect ${command}: ${problem}\n`)
  return EXIT.usage
}

/** The settings (environment over .env), or every problem listed with its fix and exit 1. */
export function settingsOrExit(env: Env = readEnv()): Readonly<CliSettings> | number {
  const read = readCliSettings(env)
  if ('settings' in read) return read.settings
  process.stderr.write('graph-connect: the settings have problems; nothing was done:\n')
  for (const problem of read.problems)
    process.stderr.write(`  - ${problem.setting} ${problem.message}\n    Fix: ${problem.fix}\n`)
  return EXIT.failed
}

/** What the data commands read first: `--output` and `--connection`, or the exit code of a usage problem (said). */
export function formatAndConnection(
  command: string,
  values: OptionValues,
): { format: OutputFormat; name: string } | number {
  const format = outputFormat(values)
  if (typeof format !== 'string') return usageProblem(command, format.problem)
  const name = connectionName(values)
  if (typeof name !== 'string') return usageProblem(command, name.problem)
  return { format, name }
}
