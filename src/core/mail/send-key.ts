/**
 * `SEND_KEY_PROPERTY`, `withSendKey`: the idempotency key a sent message carries (a merge row's key, a web form's
 * submission id) — a single-value extended property under the product's own GUID, set when the draft or sendMail
 * message is created, kept by Exchange on the Sent Items copy, and found again with Graph's documented
 * `singleValueExtendedProperties/any(…)` filter (`findSent`).
 */
import type { Message } from '@microsoft/microsoft-graph-types'

/**
 * `String {guid} Name …`: a string property in Graph Connect's own property set (the GUID is the product's, fixed).
 * The name on the wire stays `GraphConnectMergeKey` though every send carries it now: messages already sent (and a
 * merge resumed across an upgrade) are found by this exact name.
 */
export const SEND_KEY_PROPERTY =
  'String {f22cc5cf-8ead-4ba9-8165-4be2ffe5497c} Name GraphConnectMergeKey'

/** The message with its key property added. */
export function withSendKey(message: Message, key: string): Message {
  return {
    ...message,
    singleValueExtendedProperties: [{ id: SEND_KEY_PROPERTY, value: key }],
  }
}
