/** `createMainPage`: the signed-in page with the send form, rendered from plain input (home and send show it). */
import type { FastifyReply } from 'fastify'
import { createPageMemo } from '../page-memo.ts'
import { htmlType, renderPage, type LayoutInput, type ViewUser } from '../plugins/pages.ts'
import type { Flash } from '../plugins/session.ts'
import type { Render } from '../views.ts'
import { welcomeMail, type WelcomeMail } from '../welcome-mail.ts'

/** Everything the page shows but its form token. */
export interface MainPageInput extends LayoutInput {
  user: ViewUser
  csrf: string
  /** The attachments hint: whether large attachments can go through a draft (Mail.ReadWrite). */
  largeAttachments: boolean
  /** The form as typed (after a failed send); without one, the form holds the welcome mail. */
  form?: Record<string, string>
  flash?: Flash
  fieldErrors?: Partial<Record<string, string>>
}

export interface MainPage {
  /** Sends the page with a fresh `formToken`. The steady page (no flash, no typed form) is kept rendered. */
  send(reply: FastifyReply, input: MainPageInput, formToken: string): FastifyReply
}

const keptPages = 1000

export function createMainPage(views: Render): MainPage {
  const render = (input: MainPageInput, formToken: string) =>
    renderPage(views, 'main', mainViewInput(input, formToken))
  const memo = createPageMemo(render, keptPages)
  return {
    send(reply, input, formToken) {
      const steady = !input.flash && !input.form && !input.fieldErrors
      return reply
        .type(htmlType)
        .send(steady ? memo.page(input, formToken) : render(input, formToken))
    },
  }
}

/** What main.eta reads: the input, and what derives from it (the welcome mail, the initials, the form). */
function mainViewInput(input: MainPageInput, formToken: string) {
  const welcome = welcomeMail(input.user.name, input.lang)
  const { body: _body, ...defaults } = welcomeForm(input.user.address, welcome)
  return {
    ...input,
    form: input.form ?? welcomeForm(input.user.address, welcome),
    /** What a fresh form holds (the body: the welcome, in either format): app.js keeps only what differs. */
    defaults: JSON.stringify({ cc: '', bcc: '', ...defaults }),
    /** The form is what was just posted: app.js keeps it as the tab's draft rather than restoring an older one. */
    kept: input.form !== undefined,
    fieldErrors: input.fieldErrors ?? input.flash?.fieldErrors,
    formToken,
    initials: initialsOf(input.user.name),
    welcome,
  }
}

/** The form as the page first shows it: to the user, the welcome mail in HTML, saved to Sent Items. */
function welcomeForm(address: string, welcome: WelcomeMail): Record<string, string> {
  return {
    to: address,
    subject: welcome.subject,
    body: welcome.html,
    format: 'html',
    importance: 'normal',
    saveToSentItems: 'on',
  }
}

function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase())
    .join('')
}
