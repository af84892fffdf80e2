/**
 * Scripted faults: for the next N requests matching method + path regex (each taken with a probability, from a seeded
 * PRNG), a status, a delay before or after processing, deliver-then-answer (an error, a 202, a reset) or a reset.
 */
import { randomBytes } from 'node:crypto'
import { ControlError } from './control-error.ts'
import { AADSTS_FAULTS } from './fault-response.ts'
import { compilePathPattern, type PathPattern } from './path-pattern.ts'

/** What a fault does; at least one of status, deliverThen, delayMs, answerDelayMs, reset, aadsts, withholdScopes. */
export interface FaultAction {
  /** Answer this status at once, without processing the request. */
  status?: number
  /** Sent as Retry-After (only when given). */
  retryAfter?: number | string
  /** The answer's body, verbatim; without it, the wire shape of the path (Graph envelope, OAuth JSON). */
  body?: unknown
  /** Extra headers of the answer. */
  headers?: Record<string, string>
  /** Wait this long (milliseconds, up to ten minutes) BEFORE processing, then go on (or apply status). */
  delayMs?: number
  /**
   * Process the request fully (mail delivered), then answer this status instead (a 2xx: empty body, no content type,
   * unless `body` is given), or with `'reset'` destroy the connection without an answer.
   */
  deliverThen?: number | 'reset'
  /**
   * Process the request fully, then wait this long (milliseconds, up to ten minutes) AFTER processing before answering (the handler's own
   * answer, or deliverThen's): "delivered, then the answer comes late". Not with `status`.
   */
  answerDelayMs?: number
  /** Destroy the connection without an answer, before processing (nothing delivered). */
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
/**
 * POST /_emulator/faults: the next `count` (default 1) requests matching `match` get `action`; with `probability`, each
 * matching request gets it with that probability (a spared one may match the next fault), until `count` have.
 */
export interface FaultSpec {
  match: FaultMatch
  /** How many times the fault fires (a positive safe integer; default 1). */
  count?: number
  /** 0 < p ≤ 1 (default 1): the chance that a matching request takes the fault. */
  probability?: number
  /** Seeds the dice (an integer, 0 to 2^32 - 1), so the same requests take the fault on every run. */
  seed?: number
  action: FaultAction
}
/** A pending fault, as the control API lists it. */
export interface ScriptedFault {
  id: number
  method?: string
  path: string
  remaining: number
  probability?: number
  seed?: number
  action: FaultAction
}
export interface Fault extends ScriptedFault {
  pattern: PathPattern
  /** The fault's own dice: a number in [0, 1) per matching request. */
  roll: () => number
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
      const seed = checked.seed ?? randomBytes(4).readUInt32BE(0)
      const fault: Fault = { id: nextId++, ...checked, pattern, roll: mulberry32(seed) }
      faults.push(fault)
      return fault
    },
    /**
     * Consumes one use of the first fault matching the request whose dice say yes, if any: a request a fault's dice
     * spare goes on to the next matching fault.
     */
    take(method: string, path: string): FaultAction | undefined {
      if (faults.length === 0) return undefined
      const fault = faults.find(
        (candidate) =>
          (!candidate.method || candidate.method === method) &&
          candidate.pattern.test(path) &&
          (candidate.probability === undefined || candidate.roll() < candidate.probability),
      )
      if (!fault) return undefined
      if (--fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault)
      return fault.action
    },
    list: () => faults.map(({ pattern: _pattern, roll: _roll, ...fault }) => fault),
    clear: () => void (faults = []),
  }
}

function checkSpec(spec: unknown): Omit<ScriptedFault, 'id'> {
  const bad = (message: string) => new ControlError(400, 'InvalidFault', message)
  const { match, count = 1, probability, seed, action } = (spec ?? {}) as Partial<FaultSpec>
  if (!match || typeof match.path !== 'string')
    throw bad('match.path (a regular expression string) is required.')
  if (!Number.isSafeInteger(count) || count < 1) throw bad('count must be a positive integer.')
  if (
    probability !== undefined &&
    !(typeof probability === 'number' && probability > 0 && probability <= 1)
  )
    throw bad('probability must be a number with 0 < probability <= 1 (e.g. 0.2).')
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
    throw bad('seed must be an integer from 0 to 4294967295.')
  if (!action || typeof action !== 'object') throw bad('action is required.')
  checkAction(action, bad)
  const method = typeof match.method === 'string' ? match.method.toUpperCase() : undefined
  const answered = action.aadsts !== undefined && action.status === undefined ? { status: 400 } : {}
  return {
    method,
    path: match.path,
    remaining: count,
    ...(probability === undefined ? {} : { probability }),
    ...(seed === undefined ? {} : { seed }),
    action: { ...action, ...answered },
  }
}

/** Checks the action's fields and the combinations that would be ambiguous. */
function checkAction(action: FaultAction, bad: (message: string) => ControlError): void {
  const { status, deliverThen, delayMs, answerDelayMs, reset } = action
  const tokenFault = checkTokenFault(action, bad)
  const some = [status, deliverThen, delayMs, answerDelayMs].some((value) => value !== undefined)
  if (!some && !reset && !tokenFault)
    throw bad(
      'action needs status, deliverThen, delayMs, answerDelayMs, reset, aadsts or withholdScopes.',
    )
  const isStatus = (value: unknown) =>
    Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599
  if (status !== undefined && !isStatus(status)) throw bad('status must be an HTTP status.')
  if (deliverThen !== undefined && deliverThen !== 'reset' && !isStatus(deliverThen))
    throw bad('deliverThen must be an HTTP status (e.g. 504, 202) or "reset".')
  for (const [name, value] of Object.entries({ delayMs, answerDelayMs })) {
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 600_000))
      throw bad(`${name} must be 0–600000.`)
  }
  if (reset && (deliverThen !== undefined || answerDelayMs !== undefined))
    throw bad(
      'reset destroys the connection before processing; to deliver and then reset, send deliverThen: "reset".',
    )
  if (status !== undefined && (deliverThen !== undefined || answerDelayMs !== undefined))
    throw bad('status answers without processing; use deliverThen to process first.')
}

/** A tiny seeded PRNG (mulberry32): numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
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
