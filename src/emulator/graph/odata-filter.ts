/**
 * parseFilter(text): an OData `$filter` expression → a small tree (FilterNode), read in one linear pass: comparisons
 * (`eq ne gt ge lt le`), `in (…)`, `startswith`/`endswith`/`contains`, `and`, `or`, `not`, parentheses. Throws
 * FilterSyntaxError (with the position) for what is not OData, FilterUnsupported for OData the emulator does not read
 * (arithmetic, other functions; lambdas unless asked for: `collection/any(x: predicate)`, read as a `lambda` node
 * whose predicate names `x/…`); each resource then answers with Graph's error for its service.
 */

export type Literal = string | number | boolean | null | { dateTime: string }
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; property: string; value: Literal }
  | { kind: 'in'; property: string; values: Literal[] }
  | { kind: 'call'; name: 'startswith' | 'endswith' | 'contains'; property: string; value: Literal }
  | {
      kind: 'lambda'
      name: 'any' | 'all'
      property: string
      variable: string
      predicate: FilterNode
    }

/** What a resource reads besides comparisons and functions. */
export interface FilterOptions {
  /** Read `any`/`all` lambdas (else FilterUnsupported, as before). */
  lambdas?: boolean
}

export class FilterSyntaxError extends Error {
  readonly position: number
  constructor(position: number) {
    super(`Syntax error at position ${position}`)
    this.position = position
  }
}
export class FilterUnsupported extends Error {}

type Token =
  | { type: 'open' | 'close' | 'comma' | 'colon' | 'end'; at: number }
  | { type: 'word'; text: string; at: number }
  | { type: 'literal'; value: Literal; at: number }

const COMPARE = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])
const FUNCTIONS = new Set(['startswith', 'endswith', 'contains'])
const MAX_LENGTH = 4096
const MAX_DEPTH = 64
// Applied to one literal token (bounded by MAX_LENGTH), never to the caller's whole expression.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/
const NUMBER = /^-?\d+(\.\d+)?$/

export function parseFilter(text: string, options: FilterOptions = {}): FilterNode {
  if (text.length > MAX_LENGTH) throw new FilterUnsupported('The $filter expression is too long.')
  const parser = new Parser(tokenize(text), options.lambdas === true)
  const node = parser.expression(0)
  parser.expect('end')
  return node
}

/** Every property path the expression names, in order of appearance. */
export function filterProperties(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...filterProperties(node.left), ...filterProperties(node.right)]
    case 'not':
      return filterProperties(node.operand)
    default:
      return [node.property]
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const char = text[at]!
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') at++
    else if (char === '(' || char === ')' || char === ',' || char === ':') {
      const type = char === '(' ? 'open' : char === ')' ? 'close' : char === ',' ? 'comma' : 'colon'
      tokens.push({ type, at })
      at++
    } else if (char === "'") at = readString(text, at, tokens)
    else if (isWordStart(char)) at = readWord(text, at, tokens)
    else if (isDigit(char) || char === '-') at = readNumberOrDate(text, at, tokens)
    else throw new FilterSyntaxError(at)
  }
  tokens.push({ type: 'end', at: text.length })
  return tokens
}

function readString(text: string, start: number, tokens: Token[]): number {
  let value = ''
  let at = start + 1
  for (;;) {
    if (at >= text.length) throw new FilterSyntaxError(start)
    const char = text[at]!
    if (char === "'") {
      if (text[at + 1] === "'") {
        value += "'"
        at += 2
        continue
      }
      tokens.push({ type: 'literal', value, at: start })
      return at + 1
    }
    value += char
    at++
  }
}

function readWord(text: string, start: number, tokens: Token[]): number {
  let at = start
  while (
    at < text.length &&
    (isWordStart(text[at]!) || isDigit(text[at]!) || '/.'.includes(text[at]!))
  )
    at++
  const word = text.slice(start, at)
  const lower = word.toLowerCase()
  if (lower === 'true' || lower === 'false')
    tokens.push({ type: 'literal', value: lower === 'true', at: start })
  else if (lower === 'null') tokens.push({ type: 'literal', value: null, at: start })
  else tokens.push({ type: 'word', text: word, at: start })
  return at
}

function readNumberOrDate(text: string, start: number, tokens: Token[]): number {
  let at = start + 1
  while (at < text.length && /[0-9A-Za-z:.+-]/.test(text[at]!)) at++
  const raw = text.slice(start, at)
  if (DATE_TIME.test(raw)) {
    const normalized = raw.length === 10 ? `${raw}T00:00:00Z` : raw
    const time = Date.parse(
      /[Zz]|[+-]\d{2}:\d{2}$/.test(normalized) ? normalized : `${normalized}Z`,
    )
    if (Number.isNaN(time)) throw new FilterSyntaxError(start)
    tokens.push({ type: 'literal', value: { dateTime: new Date(time).toISOString() }, at: start })
  } else if (NUMBER.test(raw)) tokens.push({ type: 'literal', value: Number(raw), at: start })
  else throw new FilterSyntaxError(start)
  return at
}

const isWordStart = (char: string) => /[A-Za-z_$@]/.test(char)
const isDigit = (char: string) => char >= '0' && char <= '9'

class Parser {
  private index = 0
  private readonly tokens: Token[]
  private readonly lambdas: boolean
  constructor(tokens: Token[], lambdas: boolean) {
    this.tokens = tokens
    this.lambdas = lambdas
  }

  private peek(): Token {
    return this.tokens[this.index]!
  }
  private next(): Token {
    return this.tokens[this.index++]!
  }
  private keyword(token: Token): string | undefined {
    return token.type === 'word' ? token.text.toLowerCase() : undefined
  }
  expect(type: Token['type']): Token {
    const token = this.next()
    if (token.type !== type) throw new FilterSyntaxError(token.at)
    return token
  }

  /** or-expression: and-expressions joined by `or` (`and` binds tighter, as in OData). */
  expression(depth: number): FilterNode {
    if (depth > MAX_DEPTH)
      throw new FilterUnsupported('The $filter expression is nested too deeply.')
    let left = this.conjunction(depth)
    while (this.keyword(this.peek()) === 'or') {
      this.next()
      left = { kind: 'or', left, right: this.conjunction(depth) }
    }
    return left
  }

  private conjunction(depth: number): FilterNode {
    let left = this.unary(depth)
    while (this.keyword(this.peek()) === 'and') {
      this.next()
      left = { kind: 'and', left, right: this.unary(depth) }
    }
    return left
  }

  private unary(depth: number): FilterNode {
    const token = this.peek()
    if (this.keyword(token) === 'not') {
      this.next()
      return { kind: 'not', operand: this.unary(depth + 1) }
    }
    if (token.type === 'open') {
      this.next()
      const inner = this.expression(depth + 1)
      this.expect('close')
      return inner
    }
    return this.predicate(depth)
  }

  private predicate(depth: number): FilterNode {
    const token = this.next()
    if (token.type !== 'word') throw new FilterSyntaxError(token.at)
    const name = token.text.toLowerCase()
    if (this.peek().type === 'open' && /\/(any|all)$/i.test(token.text)) {
      if (!this.lambdas)
        throw new FilterUnsupported('Lambda operators (any, all) are not supported.')
      return this.lambda(token, depth)
    }
    if (this.peek().type === 'open') return this.call(name, token)
    const operator = this.next()
    const op = this.keyword(operator)
    if (op && COMPARE.has(op))
      return { kind: 'compare', op: op as CompareOp, property: token.text, value: this.literal() }
    if (op === 'in') return { kind: 'in', property: token.text, values: this.list() }
    if (
      op === 'add' ||
      op === 'sub' ||
      op === 'mul' ||
      op === 'div' ||
      op === 'mod' ||
      op === 'has'
    )
      throw new FilterUnsupported(`The operator '${op}' is not supported.`)
    throw new FilterSyntaxError(operator.at)
  }

  /** `collection/any(x: predicate)`; the predicate is read as any expression (its resource checks its names). */
  private lambda(token: Token & { type: 'word' }, depth: number): FilterNode {
    const slash = token.text.lastIndexOf('/')
    const name = token.text.slice(slash + 1).toLowerCase() as 'any' | 'all'
    this.expect('open')
    if (this.peek().type === 'close')
      throw new FilterUnsupported('A lambda without a predicate is not supported.')
    const variable = this.expect('word') as Token & { type: 'word' }
    if (variable.text.includes('/')) throw new FilterSyntaxError(variable.at)
    this.expect('colon')
    const predicate = this.expression(depth + 1)
    this.expect('close')
    const property = token.text.slice(0, slash)
    return { kind: 'lambda', name, property, variable: variable.text, predicate }
  }

  private call(name: string, token: Token & { type: 'word' }): FilterNode {
    if (!FUNCTIONS.has(name))
      throw new FilterUnsupported(`The function '${token.text}' is not supported.`)
    this.expect('open')
    const property = this.expect('word') as Token & { type: 'word' }
    this.expect('comma')
    const value = this.literal()
    this.expect('close')
    // `startswith(x,'a') eq true` is the same predicate, written longer.
    if (this.keyword(this.peek()) === 'eq' && this.tokens[this.index + 1]?.type === 'literal') {
      const following = this.tokens[this.index + 1] as Token & { type: 'literal' }
      if (following.value === true) this.index += 2
    }
    const kind = name as 'startswith' | 'endswith' | 'contains'
    return { kind: 'call', name: kind, property: property.text, value }
  }

  private literal(): Literal {
    const token = this.next()
    if (token.type !== 'literal') throw new FilterSyntaxError(token.at)
    return token.value
  }

  private list(): Literal[] {
    this.expect('open')
    const values = [this.literal()]
    while (this.peek().type === 'comma') {
      this.next()
      values.push(this.literal())
    }
    this.expect('close')
    return values
  }
}
