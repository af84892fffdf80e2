/** moveMessage, copyMessage: a message into another folder of its mailbox, with its attachments, in one transaction. */
import type { EmulatorContext } from '../context.ts'
import {
  immutableIdOf,
  newChangeKey,
  newId,
  newImmutableId,
  type MessageRecord,
} from './message-model.ts'

/**
 * Moves a message: as in Exchange, it gets a new default id (the old one no longer resolves) and keeps its immutable
 * id; its attachments follow.
 */
export function moveMessage(
  context: EmulatorContext,
  message: MessageRecord,
  folder: string,
): MessageRecord {
  const moved: MessageRecord = {
    ...message,
    id: newId(),
    immutableId: immutableIdOf(message),
    folder,
    changeKey: newChangeKey(),
    lastModifiedDateTime: new Date().toISOString(),
  }
  context.mail.transaction(() => {
    const attachments = context.mail.attachments(message.id)
    context.mail.delete(message.id)
    context.mail.insert(moved)
    for (const attachment of attachments)
      context.mail.addAttachment({ ...attachment, messageId: moved.id })
  })
  return moved
}

/** Copies a message: a new item, with new ids (default and immutable) and copies of its attachments. */
export function copyMessage(
  context: EmulatorContext,
  message: MessageRecord,
  folder: string,
): MessageRecord {
  const now = new Date().toISOString()
  const copy: MessageRecord = {
    ...message,
    id: newId(),
    immutableId: newImmutableId(),
    folder,
    changeKey: newChangeKey(),
    createdDateTime: now,
    lastModifiedDateTime: now,
  }
  context.mail.transaction(() => {
    context.mail.insert(copy)
    for (const attachment of context.mail.attachments(message.id))
      context.mail.addAttachment({ ...attachment, id: newId('AAMkAtt'), messageId: copy.id })
  })
  return copy
}
