/**
 * Stand-in for core's mail module (parseSendForm, welcomeMail) until it lands: strict, small, inline attachments
 * only. Replace with `../core/mail/*.ts` in app.ts when it exists.
 */
import type { MailPort, ParsedForm, UploadedFile } from './ports.ts'

const maxRecipients = 100
const maxSubject = 255
const maxBody = 64 * 1024
const maxInlineBytes = 3 * 1024 * 1024
// WHATWG "valid e-mail address", with RFC 5321 lengths checked below.
const address = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

const messages = {
  en: {
    required: 'Enter at least one recipient.',
    invalid: (value: string) => `"${value}" is not an email address. Use the form name@example.com.`,
    tooMany: `Use at most ${maxRecipients} recipients in all.`,
    subjectLine: 'The subject must be a single line.',
    subjectLong: `The subject can have at most ${maxSubject} characters.`,
    bodyLong: 'The message is too long (64 KB at most).',
    attachments: 'Attachments can total 3 MB at most.',
  },
  fr: {
    required: 'Saisissez au moins un destinataire.',
    invalid: (value: string) => `« ${value} » n’est pas une adresse e-mail. Utilisez la forme nom@exemple.com.`,
    tooMany: `Utilisez au plus ${maxRecipients} destinataires en tout.`,
    subjectLine: 'L’objet doit tenir sur une seule ligne.',
    subjectLong: `L’objet peut compter au plus ${maxSubject} caractères.`,
    bodyLong: 'Le message est trop long (64 Ko au plus).',
    attachments: 'Les pièces jointes peuvent totaliser 3 Mo au plus.',
  },
}

function parseAddresses(value: string | undefined, text: (typeof messages)['en'], errors: Record<string, string>, field: string): string[] {
  const list = [...new Set((value ?? '').split(/[;,]/).map((item) => item.trim()).filter(Boolean))]
  const bad = list.find((item) => !address.test(item) || item.length > 254 || item.split('@')[0]!.length > 64)
  if (bad !== undefined) errors[field] = text.invalid(bad.slice(0, 80))
  return list
}

function parseSendForm(fields: Record<string, string>, files: UploadedFile[], lang: 'en' | 'fr'): ParsedForm {
  const text = messages[lang]
  const errors: Record<string, string> = {}
  const to = parseAddresses(fields.to, text, errors, 'to')
  const cc = parseAddresses(fields.cc, text, errors, 'cc')
  const bcc = parseAddresses(fields.bcc, text, errors, 'bcc')
  if (!to.length && !errors.to) errors.to = text.required
  if (to.length + cc.length + bcc.length > maxRecipients) errors.to = text.tooMany
  const subject = fields.subject ?? ''
  if ([...subject].some((c) => c < ' ' || c === '\u007f' || c === '\u2028' || c === '\u2029')) errors.subject = text.subjectLine
  else if (subject.length > maxSubject) errors.subject = text.subjectLong
  const body = fields.body ?? ''
  if (Buffer.byteLength(body) > maxBody) errors.body = text.bodyLong
  if (files.reduce((sum, file) => sum + file.bytes.byteLength, 0) > maxInlineBytes) errors.attachments = text.attachments
  if (Object.keys(errors).length) return { ok: false, errors }
  const recipients = (list: string[]) => list.map((item) => ({ emailAddress: { address: item } }))
  const importance = ['low', 'normal', 'high'].includes(fields.importance ?? '') ? fields.importance : 'normal'
  const message = {
    subject,
    body: { contentType: fields.format === 'text' ? 'text' : 'html', content: body },
    toRecipients: recipients(to),
    ccRecipients: recipients(cc),
    bccRecipients: recipients(bcc),
    importance,
    attachments: files.map((file) => ({ '@odata.type': '#microsoft.graph.fileAttachment', name: file.name, contentType: file.contentType, contentBytes: file.bytes.toString('base64') })),
  }
  return { ok: true, message, recipients: [...to, ...cc, ...bcc], saveToSentItems: fields.saveToSentItems === 'on' }
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function welcomeMail(name: string, lang: 'en' | 'fr'): { subject: string; body: string } {
  if (lang === 'fr') {
    return {
      subject: 'Bienvenue dans l’exemple Microsoft Graph Connect',
      body: `<p>Félicitations ${escape(name)},</p>\n<p>Ceci est un message de l’exemple Microsoft Graph Connect. Vous êtes en bonne voie pour intégrer les services Microsoft 365 à vos applications.</p>\n<h3>Et ensuite ?</h3>\n<ul><li><a href="https://learn.microsoft.com/graph/">Documentation Microsoft Graph</a></li><li><a href="https://developer.microsoft.com/graph/graph-explorer">Graph Explorer</a></li></ul>\n<p>Bon code !</p>`,
    }
  }
  return {
    subject: 'Welcome to the Microsoft Graph Connect sample',
    body: `<p>Congratulations ${escape(name)},</p>\n<p>This is a message from the Microsoft Graph Connect sample. You are well on your way to incorporating Microsoft 365 services in your apps.</p>\n<h3>What's next?</h3>\n<ul><li><a href="https://learn.microsoft.com/graph/">Microsoft Graph documentation</a></li><li><a href="https://developer.microsoft.com/graph/graph-explorer">Graph Explorer</a></li></ul>\n<p>Thanks and happy coding!</p>`,
  }
}

export const fallbackMail: MailPort = { parseSendForm, welcomeMail }
