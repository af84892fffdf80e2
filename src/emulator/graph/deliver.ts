// Sending: the Sent Items copy, one Inbox copy per tenant recipient (Bcc hidden), the External outbox, and NDRs.
import type { User } from '../directory.ts'
import type { UserLookup } from './graph-state.ts'
import type { MailStore, MessageCopy } from './mail-store.ts'
import {
  EXTERNAL,
  newChangeKey,
  newId,
  type AttachmentRecord,
  type MessageRecord,
  type Recipient,
} from './message-model.ts'
import { newRecord } from './compose.ts'
import { randomHex } from './ids.ts'

export interface SendOptions {
  saveToSentItems: boolean
  /** The message is a stored draft (POST …/send): move it instead of inserting. */
  storedDraft: boolean
}

/** Delivers `message` (with its attachments) from `sender`, in one transaction. */
export function deliver(
  store: MailStore,
  directory: UserLookup,
  sender: User,
  message: MessageRecord,
  attachments: AttachmentRecord[],
  options: SendOptions,
): void {
  const now = new Date().toISOString()
  const self: Recipient = { emailAddress: { name: sender.displayName, address: sender.mail } }
  const sent: MessageRecord = {
    ...message,
    mailbox: sender.id,
    folder: 'sentitems',
    isDraft: false,
    isRead: true,
    from: message.from ?? self,
    sender: self,
    sentDateTime: now,
    receivedDateTime: now,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
    internetMessageId: `<${randomHex(12).toUpperCase()}@${directory.tenant.domain}>`,
    hasAttachments: attachments.length > 0,
  }
  store.transaction(() => {
    const insertCopy = store.copies(sent) // the shared part of the record serialised once for every copy
    if (options.saveToSentItems) {
      if (options.storedDraft) store.update(sent)
      else {
        insertCopy(sent)
        for (const attachment of attachments)
          store.addAttachment({ ...attachment, messageId: sent.id })
      }
    } else if (options.storedDraft) {
      store.delete(message.id)
    }
    const delivered = new Set<string>()
    const external: string[] = []
    for (const recipient of [...sent.toRecipients, ...sent.ccRecipients, ...sent.bccRecipients]) {
      const address = recipient.emailAddress.address
      const user = directory.findUser(address)
      if (user) {
        if (delivered.has(user.id)) continue
        delivered.add(user.id)
        copy(store, insertCopy, attachments, {
          mailbox: user.id,
          folder: 'inbox',
          bccRecipients: [],
        })
      } else if (domainOf(address) === directory.tenant.domain.toLowerCase()) {
        store.insert(nonDeliveryReport(sent, address, directory.tenant.domain, now))
      } else {
        external.push(address)
      }
    }
    // One transport record per send for everything leaving the tenant (Bcc kept: it is the envelope).
    if (external.length > 0)
      copy(store, insertCopy, attachments, {
        mailbox: EXTERNAL,
        folder: 'outbox',
        bccRecipients: sent.bccRecipients,
      })
  })
}

/** An unread copy of the sent message in another mailbox, with its own ids. */
function copy(
  store: MailStore,
  insertCopy: (copy: MessageCopy) => void,
  attachments: AttachmentRecord[],
  where: Pick<MessageCopy, 'mailbox' | 'folder' | 'bccRecipients'>,
): void {
  const id = newId()
  insertCopy({ ...where, id, isRead: false, changeKey: newChangeKey() })
  for (const attachment of attachments)
    store.addAttachment({ ...attachment, id: newId('AAMkAtt'), messageId: id })
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

/** Exchange's NDR for an address of the tenant's own domain that matches no mailbox. */
function nonDeliveryReport(
  sent: MessageRecord,
  address: string,
  domain: string,
  now: string,
): MessageRecord {
  const postmaster = {
    emailAddress: {
      name: 'Microsoft Outlook',
      address: `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@${domain}`,
    },
  }
  return {
    ...newRecord(sent.mailbox, 'inbox', now),
    subject: `Undeliverable: ${sent.subject}`,
    body: {
      contentType: 'html',
      content:
        `<html><body><p><b>Your message to ${escapeHtml(address)} couldn't be delivered.</b></p>` +
        `<p>${escapeHtml(address)} wasn't found at ${escapeHtml(domain)}.</p><p>Remote server returned '550 5.1.10 ` +
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p></body></html>",
    },
    importance: 'normal',
    from: postmaster,
    sender: postmaster,
    toRecipients: [sent.sender!],
    isRead: false,
    isDraft: false,
    internetMessageId: `<${randomHex(12).toUpperCase()}@${domain}>`,
    conversationId: sent.conversationId,
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
