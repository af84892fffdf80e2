/**
 * compilePathPattern: a caller's regular expression (journal `path`, a fault's `match.path`) compiled for RE2's
 * linear-time engine (re2js), so no pattern can make a match backtrack on the event loop that every route shares.
 */
import type * as Re2Module from 're2js'
import { ControlError } from './control-error.ts'

/** A compiled pattern: true when it matches anywhere in the path, as `RegExp.prototype.test` would. */
export interface PathPattern {
  readonly source: string
  test(path: string): boolean
}

/** Longer patterns are refused: compiling is linear in the pattern's length, and no path needs more. */
export const MAX_PATTERN_LENGTH = 1000

type Re2 = typeof Re2Module

// Loaded on first use, not at start: most runs (npm start, most tests) never filter the journal or script a fault.
let engine: Promise<Re2> | undefined

/**
 * The pattern compiled by RE2 (https://github.com/google/re2/wiki/Syntax): JavaScript's syntax without lookaround or
 * backreferences. A pattern it cannot compile is a ControlError 400 with `code`, naming `field` and RE2's reason.
 */
export async function compilePathPattern(
  source: string,
  field: string,
  code: string,
): Promise<PathPattern> {
  if (source.length > MAX_PATTERN_LENGTH)
    throw new ControlError(400, code, `${field} is over ${MAX_PATTERN_LENGTH} characters.`)
  const { RE2JS } = await (engine ??= import('re2js'))
  try {
    const compiled = RE2JS.compile(source)
    return { source, test: (path) => compiled.test(path) }
  } catch (error) {
    throw new ControlError(
      400,
      code,
      `${field} is not a regular expression RE2 runs (no lookaround, no backreferences): ${(error as Error).message}`,
    )
  }
}
