/**
 * The idempotency key every merged message carries: a single-value extended property (a named MAPI property under the
 * product's own GUID), set when the draft or sendMail message is created, kept by Exchange on the Sent Items copy,
 * and found again with Graph's documented `singleValueExtendedProperties/any(…)` filter.
 */
import type { Message } from '@microsoft/microsoft-graph-types'

/** `String {guid} Name …`: a string property in Graph Connect's own property set (the GUID is the product's, fixed). */
export const MERGE_KEY_PROPERTY =
  'String {f22cc5cf-8ead-4ba9-8165-4be2ffe5497c} Name GraphConnectMergeKey'

/** The message with its key property added. */
export function withMergeKey(message: Message, key: string): Message {
  return {
    ...message,
    singleValueExtendedProperties: [{ id: MERGE_KEY_PROPERTY, value: key }],
  }
}
