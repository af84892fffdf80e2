/** `openRowSource`: a rows file opened for streaming — its first line's bytes to look at, then everything as a stream. */
import { open, type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { MergeError } from '../errors.ts'

const CHUNK = 64 * 1024

export interface RowSource {
  /** The file's first bytes, at least its first line unless that is longer than a chunk. */
  head: Buffer
  /** The whole file from its first byte (the head included), read a chunk at a time as it is consumed. */
  stream: Readable
}

const invalid = (message: string, cause?: unknown) =>
  new MergeError('ERR_MERGE_INVALID', { message, cause })

/**
 * Opens `file` (a regular file or a pipe) and reads until its first line is in hand. The same handle then reads on:
 * nothing is read twice, so a pipe works too, and nothing is read before the consumer asks for it.
 */
export async function openRowSource(file: string): Promise<RowSource> {
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw invalid(cannotOpen(file, error as NodeJS.ErrnoException), error)
  }
  try {
    if ((await handle.stat()).isDirectory())
      throw invalid(`the rows file ${file} is a folder: give the CSV or JSON lines file in it.`)
    const head = await readHead(handle)
    if (
      head.subarray(0, 2).equals(Buffer.from([0xff, 0xfe])) ||
      head.subarray(0, 2).equals(Buffer.from([0xfe, 0xff]))
    )
      throw invalid(
        `${file} is UTF-16 text: save it as UTF-8 (in Excel: File › Save As › "CSV UTF-8"), then try again.`,
      )
    return { head, stream: Readable.from(chunks(handle, head, file)) }
  } catch (error) {
    await handle.close()
    throw error
  }
}

function cannotOpen(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT')
    return `the rows file ${file} does not exist: check the path (a relative path starts from ${process.cwd()}).`
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return `the rows file ${file} cannot be read (permission denied): make it readable, or copy it somewhere you can read.`
  return `the rows file ${file} cannot be opened (${error.code ?? error.message}): check the path.`
}

async function readHead(handle: FileHandle): Promise<Buffer> {
  const parts: Buffer[] = []
  let length = 0
  while (length < CHUNK) {
    const { bytesRead, buffer } = await handle.read(
      Buffer.alloc(CHUNK - length),
      0,
      CHUNK - length,
      null,
    )
    if (!bytesRead) break
    const part = buffer.subarray(0, bytesRead)
    parts.push(part)
    length += bytesRead
    if (part.includes(0x0a) || part.includes(0x0d)) break
  }
  return Buffer.concat(parts, length)
}

async function* chunks(handle: FileHandle, head: Buffer, file: string): AsyncGenerator<Buffer> {
  try {
    if (head.length) yield head
    for (;;) {
      let bytesRead: number
      let buffer: Buffer
      try {
        ;({ bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK), 0, CHUNK, null))
      } catch (error) {
        throw invalid(
          `reading ${file} failed (${(error as Error).message}): check the disk or copy the file, then try again.`,
          error,
        )
      }
      if (!bytesRead) return
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}
