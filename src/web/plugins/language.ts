/** `languagePlugin`: the request's language and translator (`request.lang`, `request.t`). */
import type { FastifyInstance } from 'fastify'
import {
  isLang,
  langFromAcceptLanguage,
  translators,
  type Lang,
  type Translate,
} from '../i18n/i18n.ts'

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang
    t: Translate
  }
}

const langCookie = 'lang'

/** `?lang=` (remembered in a cookie) > the cookie > Accept-Language > English. */
export function languagePlugin(app: FastifyInstance, options: { secure: boolean }): void {
  app.decorateRequest('lang', 'en')
  app.decorateRequest('t', translators.en)
  app.addHook('onRequest', function language(request, reply, done) {
    const asked = (request.query as Record<string, unknown> | undefined)?.lang
    let lang: Lang | undefined
    if (isLang(asked)) {
      lang = asked
      if (request.cookies[langCookie] !== asked) {
        reply.setCookie(langCookie, asked, {
          path: '/',
          sameSite: 'lax',
          httpOnly: true,
          secure: options.secure,
          maxAge: 365 * 24 * 3600,
        })
      }
    }
    const remembered = request.cookies[langCookie]
    lang ??= isLang(remembered)
      ? remembered
      : (langFromAcceptLanguage(request.headers['accept-language']) ?? 'en')
    request.lang = lang
    request.t = translators[lang]
    done()
  })
}
