/** The command line, through bin/graph-connect: the commands' table, help, version and exit codes (command.ts). */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { maskSecrets } from '../core/index.ts'
import { EXIT, EXIT_CODES_TEXT, type Command, type OptionValues } from './command.ts'
/**
 * Each command's module is loaded only when that command runs (or for the help): `send` need not load the web app,
 * Fastify or the emulator, which `start` needs — a CLI command's wall time is mostly module loading.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.ts')).startCommand,
  emulator: async () => (await import('./commands/emulator.ts')).emulatorCommand,
  login: async () => (await import('./commands/login.ts')).loginCommand,
  logout: async () => (await import('./commands/logout.ts')).logoutCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  send: async () => (await import('./commands/send.ts')).sendCommand,
  messages: async () => (await import('./commands/messages.ts')).messagesCommand,
  read: async () => (await import('./commands/read.ts')).readCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
}

const loadCommand = (name: string | undefined) =>
  name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!() : undefined

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()))
  const width = Math.max(...commands.map((command) => command.name.length)) + 2
  return [
    'Usage: graph-connect <command> [options]      (npm start = graph-connect start)',
    '',
    'Without CLIENT_ID (environment, .env or --client-id) every command works against the emulator:',
    'the one npm start or npm run emulator runs (EMULATOR_URL, default http://localhost:8001), else one',
    'started in this process on data/emulator.',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'graph-connect <command> --help     the command’s options and settings',
    'graph-connect --version            the version',
    '',
    EXIT_CODES_TEXT,
  ].join('\n')
}

function commandHelp(command: Command): string {
  return [
    `Usage: graph-connect ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`,
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    ...command.details.map((line) => `  ${line}`),
  ].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const command = await loadCommand(rest[0])
    process.stdout.write(`${command ? commandHelp(command) : await usage()}\n`)
    return EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`graph-connect ${version}\n`)
    return EXIT.ok
  }
  const command = await loadCommand(name)
  if (!command) return usageError(`unknown command "${name}".`, await usage())
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`)
    return EXIT.ok
  }
  let parsed: { values: OptionValues; positionals: string[] }
  try {
    const limits = command.positionals ?? { min: 0, max: 0 }
    parsed = parseArgs({
      args: rest,
      options: command.options,
      strict: true,
      allowPositionals: limits.max > 0,
    }) as typeof parsed
    const count = parsed.positionals.length
    if (count < limits.min)
      throw new Error(`missing an argument: graph-connect ${name} ${command.synopsis}`)
    if (count > limits.max) throw new Error(`too many arguments: ${parsed.positionals.join(' ')}`)
  } catch (error) {
    return usageError(`${name}: ${argumentProblem(error as Error, command)}`, commandHelp(command))
  }
  const code = await command.run(parsed.values, parsed.positionals)
  if (command.oneShot) {
    await new Promise((resolve) => process.stdout.write('', resolve))
    await new Promise((resolve) => process.stderr.write('', resolve))
    process.exit(code)
  }
  return code
}

/** parseArgs's message, and for an unknown option the nearest one the command has (a typo's fix). */
function argumentProblem(error: Error & { code?: string }, command: Command): string {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return error.message
  const given = /'(-[^']*)'/.exec(error.message)?.[1] ?? ''
  const near = (option: string) =>
    editDistance(given, option) <= Math.max(2, given.length / 3) ||
    (option.length > 3 && given.startsWith(option))
  const nearest = Object.keys(command.options)
    .map((option) => ({ option: `--${option}`, distance: editDistance(given, `--${option}`) }))
    .sort((a, b) => a.distance - b.distance)
    .find(({ option }) => near(option))
  const hint = nearest
    ? ` Did you mean ${nearest.option}?`
    : ` graph-connect ${command.name} --help lists its options.`
  return `Unknown option '${given}'.${hint}`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length]!
}

function usageError(problem: string, help: string): number {
  process.stderr.write(`graph-connect: ${problem}\n\n${help}\n`)
  return EXIT.usage
}

// Last resort (SE-11): log without secrets and exit in a controlled way; never keep running in an unknown state.
for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(
      maskSecrets(
        `${event}: ${(error as { code?: string }).code ?? ''} ${(error as Error)?.message ?? String(error)}`,
      ) + '\n',
    )
    process.exit(1)
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code)
  },
  (error: unknown) => {
    const code = (error as { code?: string }).code
    process.stderr.write(`${code ? `${code}: ` : ''}${(error as Error).message ?? String(error)}\n`)
    if (code === 'EADDRINUSE') process.stderr.write(`${portInUse(error as { port?: number })}\n`)
    if (process.argv.includes('--verbose')) process.stderr.write(`${(error as Error).stack}\n`)
    process.exit(1)
  },
)

function portInUse({ port }: { port?: number }): string {
  return [
    `Port ${port ?? '?'} is already taken, perhaps by a Graph Connect that is still running (npm start, npm run emulator).`,
    `Which process: ss -ltnp 'sport = :${port ?? '?'}' (Linux) or lsof -i :${port ?? '?'} (macOS).`,
    'Stop that process, or use other ports: PORT and PUBLIC_URL for the app, EMULATOR_PORT for the emulator',
    'that npm start embeds, --port for npm run emulator.',
  ].join('\n')
}
