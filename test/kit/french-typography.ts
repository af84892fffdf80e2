/**
 * frenchSpacingFaults: French typography as the product writes it (the app's and the emulator's French texts): a narrow
 * no-break space (U+202F) before : ; ! ? and inside « », never an ordinary or a no-break space there, none missing.
 */
const NNBSP = '\u202f'

/** The faults of one text: a space other than U+202F before : ; ! ? », after «; or none where one is due. */
export function frenchSpacingFaults(text: string): string[] {
  const found: string[] = []
  // Search syntax (from:, is:unread) and URLs (https://) keep their colon: it is followed by no space.
  for (const match of text.matchAll(/(.)([;!?»]|:(?=\s|$))/gu))
    if (match[1] !== NNBSP) found.push(`"${match[0]}" needs U+202F before its sign`)
  for (const match of text.matchAll(/«(.)/gu))
    if (match[1] !== NNBSP) found.push(`"${match[0]}" needs U+202F after «`)
  return found
}
