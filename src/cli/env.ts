/** Settings for the entry points: the environment wins over a `.env` file in the working directory. */
import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'

export type Env = Record<string, string | undefined>

export function readEnv(file = '.env', environment: Env = process.env): Env {
  const fromFile = existsSync(file) ? (parseEnv(readFileSync(file, 'utf8')) as Env) : {}
  return { ...fromFile, ...environment }
}
