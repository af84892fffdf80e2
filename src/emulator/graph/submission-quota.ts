/**
 * refusedForRecipientLimit: Exchange Online's recipient rate limit (10,000 recipients per mailbox in a rolling 24
 * hours). Over it, Exchange accepts the request and refuses the submission: nothing is delivered or saved to Sent
 * Items, and the sender receives the non-delivery report "the sender's submission quota was exceeded" (5.2.0).
 */
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { newRecord } from './compose.ts'
import { newInternetMessageId, type MessageRecord } from './message-model.ts'

/** The distinct addresses of To, Cc and Bcc: what Exchange counts against the limit. */
export function recipientCount(message: MessageRecord): number {
  const all = [...message.toRecipients, ...message.ccRecipients, ...message.bccRecipients]
  return new Set(all.map((recipient) => recipient.emailAddress.address.toLowerCase())).size
}

/** True when the sender has reached its limit: the NDR is in its Inbox, and the caller answers 202 without sending. */
export function refusedForRecipientLimit(
  context: EmulatorContext,
  sender: User,
  message: MessageRecord,
): boolean {
  if (context.throttle.admitRecipients(sender.id, recipientCount(message))) return false
  context.mail.insert(submissionQuotaReport(sender, message, context.directory.tenant.domain))
  return true
}

// Wording of Exchange Online's NDR and SMTP status for this limit, from Microsoft's "Fix 'sender's submission quota
// exceeded' errors" and "Changes in message store and throttling for concurrent connections" articles.
const REASON = "The message can't be submitted because the sender's submission quota was exceeded."
const STATUS = '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException'

function submissionQuotaReport(
  sender: User,
  message: MessageRecord,
  domain: string,
): MessageRecord {
  const now = new Date().toISOString()
  const postmaster = {
    emailAddress: {
      name: 'Microsoft Outlook',
      address: `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@${domain}`,
    },
  }
  const self = { emailAddress: { name: sender.displayName, address: sender.mail } }
  return {
    ...newRecord(sender.id, 'inbox', now),
    subject: `Undeliverable: ${message.subject}`,
    body: {
      contentType: 'html',
      content:
        "<html><body><p><b>Your message couldn't be delivered.</b></p>" +
        `<p>${REASON}</p><p>Remote server returned '${STATUS}'</p></body></html>`,
    },
    from: postmaster,
    sender: postmaster,
    toRecipients: [self],
    isRead: false,
    isDraft: false,
    internetMessageId: newInternetMessageId(domain),
    conversationId: message.conversationId,
  }
}
