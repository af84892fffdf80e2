/** graph-types.json is what tools/derive-graph-types.ts makes of Graph's metadata; the checker reads it right. */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { csdlPath, OUTPUT, renderGraphTypes } from '../../../../tools/derive-graph-types.ts'
import { checkShape } from './check-shape.ts'
import { METADATA_SOURCE, propertyType, selectableProperties } from './graph-types.ts'

describe("Graph's metadata subset (graph-types.json)", () => {
  const csdl = csdlPath()
  const absent = existsSync(csdl)
    ? false
    : `${csdl} is absent: fetch schemas/v1.0-Prod.csdl of microsoftgraph/msgraph-metadata at ${METADATA_SOURCE.commit} and set GRAPH_METADATA_DIR`

  it(
    'is exactly what tools/derive-graph-types.ts derives from the CSDL',
    { skip: absent },
    async () => {
      const text = readFileSync(csdl, 'utf8')
      assert.equal(
        createHash('sha256').update(text).digest('hex'),
        METADATA_SOURCE.sha256,
        'the CSDL is not the one the committed file was made from',
      )
      const expected = await renderGraphTypes(text)
      assert.ok(
        readFileSync(OUTPUT, 'utf8') === expected,
        'graph-types.json is stale or edited by hand: run node tools/derive-graph-types.ts',
      )
    },
  )

  it('flattens base types and keeps collection and nullable flags', () => {
    const selectable = selectableProperties('message')
    for (const name of ['id', 'changeKey', 'subject', 'attachments'])
      assert.ok(selectable.includes(name))
    assert.deepEqual(propertyType('message', 'id'), {
      name: 'Edm.String',
      collection: false,
      nullable: false,
    })
    assert.deepEqual(propertyType('message', 'toRecipients'), {
      name: 'recipient',
      collection: true,
      nullable: true,
    })
    assert.equal(propertyType('message', 'colour'), undefined)
  })

  it('names each departure from the declared shape precisely', () => {
    const message = {
      '@odata.etag': 'W/"x"',
      id: 'AAMk',
      importance: 'urgent',
      isRead: 'yes',
      toRecipients: null,
      from: { emailAddress: { address: 'a@b.test', nickname: 'A' } },
      flag: {
        flagStatus: 'flagged',
        dueDateTime: { dateTime: '2026-01-01T00:00:00', timeZone: 'UTC' },
      },
      receivedDateTime: 'yesterday',
      colour: 'blue',
    }
    assert.deepEqual(checkShape(message, 'message', 'message'), [
      "message.importance: 'urgent' is not a member of microsoft.graph.importance (low, normal, high)",
      'message.isRead: "yes" is not a valid Edm.Boolean',
      'message.toRecipients: expected a collection of recipient, got null',
      "message.from.emailAddress.nickname: microsoft.graph.emailAddress declares no property 'nickname'",
      'message.receivedDateTime: "yesterday" is not a valid Edm.DateTimeOffset',
      "message.colour: microsoft.graph.message declares no property 'colour'",
    ])
  })

  it('checks @odata.type against the declared type and its derived types', () => {
    const file = {
      '@odata.type': '#microsoft.graph.fileAttachment',
      id: 'a',
      isInline: false,
      size: 1,
    }
    assert.deepEqual(checkShape(file, 'attachment'), [])
    assert.deepEqual(checkShape({ id: 'a' }, 'attachment'), [
      '$: microsoft.graph.attachment is abstract; the value needs an @odata.type',
    ])
    assert.deepEqual(
      checkShape({ '@odata.type': '#microsoft.graph.message', id: 'a' }, 'attachment'),
      [
        '$.@odata.type: "#microsoft.graph.message" is not microsoft.graph.attachment or derived from it',
      ],
    )
    assert.deepEqual(checkShape({ ...file, size: null }, 'attachment'), [
      '$.size: null, but Edm.Int32 is declared not nullable',
    ])
  })
})
