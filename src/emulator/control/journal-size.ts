/**
 * What a journal entry is counted as against the journal's budget: an estimate of the heap it keeps alive, from what
 * was received (method, path, query, headers, body) plus a fixed allowance for the objects that hold them.
 *
 * Why an estimate and not a measure: V8 tells no object's retained size, and walking a parsed body to weigh it would
 * cost more than keeping it. Counting the received text once and the objects by a fixed allowance is O(headers), and
 * errs on the high side for ordinary requests, so the budget is a bound on what the journal holds, not a target.
 */

/** The entry object, its fields, and the shells of its headers and query objects. */
const ENTRY_ALLOWANCE = 400
/** One header's property slot and string headers, besides its characters. */
const HEADER_ALLOWANCE = 40
/** A parsed body's objects besides its text; a summary's whole size. */
const BODY_ALLOWANCE = 64

/** The entry without its body; `rawQueryLength`: the characters after `?` in the URL. */
export function entryBytes(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
  rawQueryLength: number,
): number {
  let bytes = ENTRY_ALLOWANCE + method.length + path.length + 2 * rawQueryLength
  for (const name in headers) {
    const value = headers[name]
    bytes += HEADER_ALLOWANCE + name.length
    if (typeof value === 'string') bytes += value.length
    else if (value) for (const item of value) bytes += HEADER_ALLOWANCE + item.length
  }
  return bytes
}

/**
 * A body the journal keeps as parsed (JSON, a form, text): twice its length on the wire (its strings, and the keys and
 * objects of its parse). Without a Content-Length (a chunked upload), its JSON text is weighed instead: rare, and
 * the only way to know.
 */
export function parsedBodyBytes(body: unknown, contentLength: number): number {
  if (body === null || body === undefined) return 0
  const length =
    contentLength > 0
      ? contentLength
      : typeof body === 'string'
        ? body.length
        : (JSON.stringify(body)?.length ?? 0)
  return BODY_ALLOWANCE + 2 * length
}

/** A body the journal keeps as a summary (`{ summary, bytes }`: binary, too large). */
export const SUMMARY_BYTES = BODY_ALLOWANCE
