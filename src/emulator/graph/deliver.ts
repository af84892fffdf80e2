/** Sending: the Sent Items copy, one Inbox copy per tenant recipient (Bcc hidden), the External outbox, and NDRs. */
import type { User } from '../state/directory.ts'
import type { Directory } from '../state/directory.ts'
import type { MailStore } from './mail-store.ts'
import {
  EXTERNAL,
  immutableIdOf,
  newChangeKey,
  newId,
  newImmutableId,
  newInternetMessageId,
  type AttachmentRecord,
  type MessageRecord,
  type Recipient,
} from './message-model.ts'
import { newRecord } from './compose.ts'

export interface SendOptions {
  saveToSentItems: boolean
  /** The message is a stored draft (POST …/send): move it instead of inserting. */
  storedDraft: boolean
}

/** Delivers `message` (with its attachments) from `sender`, in one transaction; returns the sent item. */
export function deliver(
  store: MailStore,
  directory: Directory,
  sender: User,
  message: MessageRecord,
  attachments: AttachmentRecord[],
  options: SendOptions,
): MessageRecord {
  const now = new Date().toISOString()
  const sent = sentItem(message, sender, directory.tenant.domain, attachments.length > 0, now)
  // As in Exchange, a sent draft becomes a new item in Sent Items: a new default id (the draft's no longer
  // resolves), the same immutable id and Message-ID.
  if (options.storedDraft) sent.id = newId()
  store.transaction(() => {
    if (options.storedDraft) store.delete(message.id)
    if (options.saveToSentItems) {
      store.insert(sent)
      for (const attachment of attachments)
        store.addAttachment({ ...attachment, messageId: sent.id })
    }
    deliverToRecipients(store, directory, sent, attachments, now)
  })
  return sent
}

/** The Sent Items record of a message sent now. */
function sentItem(
  message: MessageRecord,
  sender: User,
  domain: string,
  hasAttachments: boolean,
  now: string,
): MessageRecord {
  const self: Recipient = { emailAddress: { name: sender.displayName, address: sender.mail } }
  return {
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
    // One Message-ID for every copy: the draft's (given when it was created), else a new one.
    internetMessageId: message.internetMessageId || newInternetMessageId(domain),
    immutableId: immutableIdOf(message),
    hasAttachments,
  }
}

/** One Inbox copy per tenant user (Bcc hidden), an NDR per unknown address of the tenant, one outbox copy for the rest. */
function deliverToRecipients(
  store: MailStore,
  directory: Directory,
  sent: MessageRecord,
  attachments: AttachmentRecord[],
  now: string,
): void {
  const delivered = new Set<string>()
  let external = false
  for (const recipient of [...sent.toRecipients, ...sent.ccRecipients, ...sent.bccRecipients]) {
    const address = recipient.emailAddress.address
    const user = directory.findUser(address)
    if (user) {
      if (delivered.has(user.id)) continue
      delivered.add(user.id)
      copy(store, sent, attachments, { mailbox: user.id, folder: 'inbox', bccRecipients: [] })
    } else if (domainOf(address) === directory.tenant.domain.toLowerCase()) {
      store.insert(nonDeliveryReport(sent, address, directory.tenant.domain, now))
    } else {
      external = true
    }
  }
  // One transport record per send for everything leaving the tenant (Bcc kept: it is the envelope).
  if (external) {
    const where = { mailbox: EXTERNAL, folder: 'outbox', bccRecipients: sent.bccRecipients }
    copy(store, sent, attachments, where)
  }
}

/** An unread copy of the sent message in another mailbox, with its own ids. */
function copy(
  store: MailStore,
  sent: MessageRecord,
  attachments: AttachmentRecord[],
  where: Pick<MessageRecord, 'mailbox' | 'folder' | 'bccRecipients'>,
): void {
  const id = newId()
  const immutableId = newImmutableId()
  // The sender's extended properties stay in the sender's mailbox (see docs/EMULATOR-CONTROL.md, "Extended properties").
  const { singleValueExtendedProperties: _kept, ...message } = sent
  store.insert({ ...message, ...where, id, immutableId, isRead: false, changeKey: newChangeKey() })
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
    internetMessageId: newInternetMessageId(domain),
    conversationId: sent.conversationId,
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
