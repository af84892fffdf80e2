/** `homeRoutes`: GET / (the Connect page, or the signed-in page with the send form) and GET /me/photo. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../core/index.ts'
import type { FormTokens } from '../form-tokens.ts'
import { layoutInput, viewUser } from '../plugins/pages.ts'
import type { Flash, Session } from '../plugins/session.ts'
import { readPhoto } from '../profile-photo.ts'
import type { MainPage } from './main-page.ts'
import { SIGNED_OUT_COOKIE } from './sign-out.ts'

export interface HomeRoutesOptions {
  store: Store
  mainPage: MainPage
  formTokens: FormTokens
  flowInspector: boolean
  largeAttachments: boolean
  /** The identity provider is on loopback (the emulator): the Connect page says this is the offline demo. */
  demo: boolean
}

/** `/?notice=signed-out`: the Connect page says the session has ended (a send's redirect, no store write). */
export const SIGNED_OUT = 'signed-out'

export async function homeRoutes(app: FastifyInstance, options: HomeRoutesOptions): Promise<void> {
  const { store, mainPage, formTokens } = options

  app.get('/', async function home(request, reply) {
    const session = await request.session()
    const user = session.user
    const flash = session.key ? session.data.flash : undefined
    if (flash) await takeFlash(session, flash)
    const shown = flash?.lines.length ? flash : user ? undefined : noticeOf(request, reply)
    if (!user) return reply.page('connect', { flash: shown, demo: options.demo }, session)
    const input = {
      ...layoutInput(request, options.flowInspector),
      user: viewUser(user),
      csrf: session.data.csrf,
      largeAttachments: options.largeAttachments,
      form: flash?.form,
      flash: shown,
    }
    return mainPage.send(reply, input, formTokens.issue(session.key!))
  })

  app.get('/me/photo', async function photo(request, reply) {
    const user = (await request.session()).user
    const photo = user?.hasPhoto ? await readPhoto(store, user.partition) : undefined
    if (!photo) return reply.callNotFound()
    return reply
      .header('cache-control', 'private, no-store')
      .type(photo.contentType)
      .send(Buffer.from(photo.data, 'base64'))
  })
}

/**
 * What the Connect page says without a session: a send's redirect names the ended session in its query (one known
 * notice; any other value shows nothing); a sign-out leaves a short cookie, cleared once read.
 */
function noticeOf(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
  if (request.cookies[SIGNED_OUT_COOKIE]) {
    reply.clearCookie(SIGNED_OUT_COOKIE, { path: '/' })
    return { kind: 'success', lines: [request.t('connect.signedOut')] }
  }
  const { notice } = request.query as { notice?: unknown }
  if (notice !== SIGNED_OUT) return undefined
  return { kind: 'warning', lines: [request.t('error.signedOut.text')] }
}

/** A flash is shown once. A form kept for after a new sign-in survives the Connect page (without its lines). */
async function takeFlash(session: Session, flash: Flash): Promise<void> {
  session.data.flash = !session.user && flash.form ? { ...flash, lines: [] } : undefined
  session.changed()
  await session.save()
}
