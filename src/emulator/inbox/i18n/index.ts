/** inboxStrings: the viewer's words in the reader's language, chosen by Accept-Language as the sign-in pages do. */
import type { FastifyRequest } from 'fastify'
import { pickLang, type Lang } from '../../identity/i18n/index.ts'
import { en, type InboxStrings } from './en.ts'
import { fr } from './fr.ts'

export type { InboxStrings } from './en.ts'

const STRINGS: Record<Lang, InboxStrings> = { en, fr }

export function inboxStrings(request: FastifyRequest): InboxStrings {
  return STRINGS[pickLang(undefined, request.headers['accept-language'])]
}
