/** createMailboxTurns: one turn per mailbox at a time, in the order asked; mailboxes independent; leaving twice is harmless. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { createMailboxTurns } from './mailbox-turns.ts'

test('the rows of a mailbox take their turns one at a time, in the order they asked', async () => {
  const turns = createMailboxTurns()
  const order: string[] = []
  let inside = 0
  let most = 0
  await Promise.all(
    ['a', 'b', 'c', 'd'].map(async (name, index) => {
      await sleep(index) // asked in this order
      const leave = await turns('adele@contoso.test')
      inside++
      most = Math.max(most, inside)
      order.push(name)
      await sleep(5)
      inside--
      leave()
      leave() // twice: no second turn handed on
    }),
  )
  assert.deepEqual(order, ['a', 'b', 'c', 'd'])
  assert.equal(most, 1)
})

test('another mailbox does not wait; the next row of the same one waits until the turn is left', async () => {
  const turns = createMailboxTurns()
  const leaveAdele = await turns('adele@contoso.test')
  const lea = await Promise.race([turns('lea@contoso.test'), sleep(50).then(() => 'waited')])
  assert.equal(typeof lea, 'function')
  let handed = false
  const next = turns('adele@contoso.test').then((leave) => {
    handed = true
    return leave
  })
  await sleep(30)
  assert.equal(handed, false)
  leaveAdele()
  const leaveNext = await next
  assert.equal(handed, true)
  leaveNext()
})
