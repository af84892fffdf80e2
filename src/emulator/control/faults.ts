/** Scripted faults: for the next N requests matching method + path regex, a status, a delay, deliver-then-fail or a reset. */
import { ControlError } from './control-error.ts'
import { AADSTS_FAULTS } from './fault-response.ts'
import { compilePathPattern, type PathPattern } from './path-pattern.ts'

/** What a fault does; at least one of status, deliverThen, delayMs, reset, aadsts, withholdScopes. */
export interface FaultAction {
  /** Answer this status at once, without processing the request. */
  status?: number
  /** Sent as Retry-After (only when given). */
  retryAfter?: number | string
  /** The answer's body, verbatim; without it, the wire shape of the path (Graph envelope, OAuth JSON). */
  body?: unknown
  /** Extra headers of the answer. */
  headers?: Record<string, string>
  /** Wait this long (0–600,000 ms), then go on (or apply status). */
  delayMs?: number
  /** Process the request fully (mail delivered), then answer this status instead. */
  deliverThen?: number
  /** Destroy the connection without an answer. */
  reset?: boolean
  /** On the token endpoint: answer this AADSTS error of Entra's (50196, loop detected), status 400 unless given. */
  aadsts?: number
  /** On the token endpoint: issue the token without these scopes (a down-scoped grant); `scope` says what was issued. */
  withholdScopes?: string[]
}
/** Which requests a fault answers. */
export interface FaultMatch {
  method?: string
  /** A regular expression (RE2 syntax: no lookaround, no backreferences) tested against the path (no query). */
  path: string
}
/** POST /_emulator/faults: the next `count` (default 1) requests matching `match` get `action`. */
export interface FaultSpec {
  match: FaultMatch
  count?: number
  action: FaultAction
}
/** A pending fault, as the control API lists it. */
export interface ScriptedFault {
  id: number
  method?: string
  path: string
  remaining: number
  action: FaultAction
}
export interface Fault extends ScriptedFault {
  pattern: PathPattern
}

export type Faults = ReturnType<typeof createFaults>

export function createFaults() {
  let faults: Fault[] = []
  let nextId = 1
  return {
    /** Checks and stores a fault; its path compiled by RE2 (linear time, whatever the pattern). */
    async add(spec: unknown): Promise<Fault> {
      const checked = checkSpec(spec)
      const pattern = await compilePathPattern(checked.path, 'match.path', 'InvalidFault')
      const fault: Fault = { id: nextId++, ...checked, pattern }
      faults.push(fault)
      return fault
    },
    /** Consumes one use of the first fault matching the request, if any. */
    take(method: string, path: string): FaultAction | undefined {
      if (faults.length === 0) return undefined
      const fault = faults.find(
        (candidate) =>
          (!candidate.method || candidate.method === method) && candidate.pattern.test(path),
      )
      if (!fault) return undefined
      if (--fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault)
      return fault.action
    },
    list: () => faults.map(({ pattern: _pattern, ...fault }) => fault),
    clear: () => void (faults = []),
  }
}

function checkSpec(spec: unknown): Omit<ScriptedFault, 'id'> {
  const bad = (message: string) => new ControlError(400, 'InvalidFault', message)
  const { match, count = 1, action } = (spec ?? {}) as Partial<FaultSpec>
  if (!match || typeof match.path !== 'string')
    throw bad('match.path (a regular expression string) is required.')
  if (!Number.isInteger(count) || count < 1) throw bad('count must be a positive integer.')
  if (!action || typeof action !== 'object') throw bad('action is required.')
  const { status, deliverThen, delayMs, reset } = action
  const tokenFault = checkTokenFault(action, bad)
  if (status === undefined && deliverThen === undefined && delayMs === undefined && !reset) {
    if (!tokenFault)
      throw bad('action needs status, deliverThen, delayMs, reset, aadsts or withholdScopes.')
  }
  for (const [name, value] of Object.entries({ status, deliverThen })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 100 || value > 599))
      throw bad(`${name} must be an HTTP status.`)
  }
  if (delayMs !== undefined && (typeof delayMs !== 'number' || delayMs < 0 || delayMs > 600_000))
    throw bad('delayMs must be 0–600000.')
  const method = typeof match.method === 'string' ? match.method.toUpperCase() : undefined
  const answered = action.aadsts !== undefined && status === undefined ? { status: 400 } : {}
  return { method, path: match.path, remaining: count, action: { ...action, ...answered } }
}

/** Checks aadsts and withholdScopes; true when the action has one of them. */
function checkTokenFault(action: FaultAction, bad: (message: string) => ControlError): boolean {
  const { aadsts, withholdScopes } = action
  if (aadsts !== undefined && !(aadsts in AADSTS_FAULTS))
    throw bad(`aadsts must be one of ${Object.keys(AADSTS_FAULTS).join(', ')}.`)
  if (
    withholdScopes !== undefined &&
    !(
      Array.isArray(withholdScopes) &&
      withholdScopes.length > 0 &&
      withholdScopes.every((scope) => typeof scope === 'string' && scope.trim() !== '')
    )
  )
    throw bad('withholdScopes must be a non-empty array of scope names (e.g. ["Mail.Send"]).')
  return aadsts !== undefined || withholdScopes !== undefined
}
