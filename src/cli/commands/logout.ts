/** `logout`: forget a connection's tokens (or every connection's): its sealed file is deleted. */
import { createConnectionStore } from '../../core/index.ts'
import { reportFailure } from '../cli-failure.ts'
import { EXIT, type Command, type OptionValues } from '../command.ts'
import {
  CONNECTION_HELP,
  CONNECTION_OPTION,
  connectionName,
  settingsOrExit,
  usageProblem,
} from '../common-options.ts'

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget a connection’s tokens on this machine (--all: every connection)',
  synopsis: '[--connection <name> | --all]',
  details: [
    'Deletes the connection’s encrypted file: its refresh token can no longer be used from here. The sign-in',
    'session in the browser, if any, is the identity provider’s: sign out there too on a shared computer.',
    CONNECTION_HELP,
    '--all               every connection',
  ],
  options: { ...CONNECTION_OPTION, all: { type: 'boolean' } },
  oneShot: true,
  run: (values) => logout(values),
}

async function logout(values: OptionValues): Promise<number> {
  const name = connectionName(values)
  if (typeof name !== 'string') return usageProblem('logout', name.problem)
  if (values.all && values.connection !== 'default')
    return usageProblem('logout', 'give --connection or --all, not both.')
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  try {
    const store = createConnectionStore(settings.home)
    const names = values.all ? store.names() : [name]
    const forgotten = names.filter((each) => {
      let record
      try {
        record = store.read(each)
      } catch {
        record = undefined // unreadable (the key changed): deleted all the same
      }
      const deleted = store.delete(each)
      if (deleted) {
        const who = record?.account?.username ?? (record ? `the app ${record.clientId}` : 'unknown')
        process.stdout.write(
          `Signed out of connection "${each}" (${who}); its tokens are deleted.\n`,
        )
      }
      return deleted
    })
    if (!forgotten.length)
      process.stdout.write(
        values.all
          ? 'No connection to sign out of.\n'
          : `Connection "${name}" was not signed in.\n`,
      )
    return EXIT.ok
  } catch (error) {
    return reportFailure(error, { connection: name })
  }
}
