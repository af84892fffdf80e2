/** parseFilter: the OData $filter grammar the emulator reads, in one linear pass. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  filterProperties,
  FilterSyntaxError,
  FilterUnsupported,
  parseFilter,
} from './odata-filter.ts'

describe('parseFilter', () => {
  it('reads comparisons, in, functions, and/or/not with OData precedence', () => {
    assert.deepEqual(parseFilter("a eq 'x' or b eq true and not (c ne null)"), {
      kind: 'or',
      left: { kind: 'compare', op: 'eq', property: 'a', value: 'x' },
      right: {
        kind: 'and',
        left: { kind: 'compare', op: 'eq', property: 'b', value: true },
        right: { kind: 'not', operand: { kind: 'compare', op: 'ne', property: 'c', value: null } },
      },
    })
    assert.deepEqual(parseFilter("mail IN ('a@b.c','it''s')"), {
      kind: 'in',
      property: 'mail',
      values: ['a@b.c', "it's"],
    })
    assert.deepEqual(parseFilter("startsWith(displayName,'Lé') eq true"), {
      kind: 'call',
      name: 'startswith',
      property: 'displayName',
      value: 'Lé',
    })
  })

  it('reads dates and times as instants, numbers as numbers', () => {
    assert.deepEqual(parseFilter('d ge 2024-05-01T10:00:00+02:00'), {
      kind: 'compare',
      op: 'ge',
      property: 'd',
      value: { dateTime: '2024-05-01T08:00:00.000Z' },
    })
    assert.deepEqual(parseFilter('d lt 2024-05-01').kind, 'compare')
    assert.deepEqual(parseFilter('n gt -3'), {
      kind: 'compare',
      op: 'gt',
      property: 'n',
      value: -3,
    })
    assert.deepEqual(filterProperties(parseFilter("x eq 1 and (y/z eq 'a' or w in (1))")), [
      'x',
      'y/z',
      'w',
    ])
  })

  it('says where the syntax breaks, and which forms it does not read', () => {
    for (const [text, position] of [
      ["a eq 'x", 5],
      ['a eq', 4],
      ['a eq 1 and', 10],
      ['(a eq 1', 7],
      ['a # 1', 2],
    ] as const) {
      assert.throws(
        () => parseFilter(text),
        (error: unknown) => {
          assert.ok(error instanceof FilterSyntaxError, text)
          assert.equal(error.position, position, text)
          return true
        },
      )
    }
    for (const text of [
      "tags/any(t:t eq 'x')",
      'length(a) eq 1',
      'a add 1 eq 2',
      '('.repeat(100) + 'a eq 1',
    ])
      assert.throws(() => parseFilter(text), FilterUnsupported, text)
  })

  it('reads any/all lambdas only when asked, their predicate as an expression', () => {
    const text = "props/Any(ep: ep/id eq 'k' and startswith(ep/value, 'v'))"
    assert.throws(() => parseFilter(text), FilterUnsupported)
    assert.deepEqual(parseFilter(text, { lambdas: true }), {
      kind: 'lambda',
      name: 'any',
      property: 'props',
      variable: 'ep',
      predicate: {
        kind: 'and',
        left: { kind: 'compare', op: 'eq', property: 'ep/id', value: 'k' },
        right: { kind: 'call', name: 'startswith', property: 'ep/value', value: 'v' },
      },
    })
    assert.throws(() => parseFilter('props/any()', { lambdas: true }), FilterUnsupported)
    assert.throws(
      () => parseFilter("props/any(ep ep/id eq 'k')", { lambdas: true }),
      FilterSyntaxError,
    )
  })

  it('stays linear on long inputs', () => {
    const long = Array.from({ length: 200 }, (_, index) => `p${index} eq ${index}`).join(' and ')
    assert.equal(filterProperties(parseFilter(long)).length, 200)
  })
})
