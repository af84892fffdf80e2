/* global document, sessionStorage, FormData, Event, HTMLIFrameElement, Node, HTMLElement, HTMLFormElement, HTMLInputElement, HTMLTextAreaElement */
// Disables the Send button once the form is submitted (a UX aid; the server also refuses double sends).
document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || !form.matches('.compose')) return
  const button = form.querySelector('button[type="submit"]')
  if (!button) return
  if (form.dataset.submitted) {
    event.preventDefault()
    return
  }
  form.dataset.submitted = 'true'
  button.setAttribute('aria-disabled', 'true')
  if (form.dataset.sending) button.textContent = form.dataset.sending
})

// Switching between HTML and plain text swaps the pre-filled welcome mail, unless the user has edited it.
document.addEventListener('change', (event) => {
  const input = event.target
  if (!(input instanceof HTMLInputElement) || input.name !== 'format' || !input.form) return
  const body = input.form.querySelector('textarea[data-welcome-html]')
  if (!(body instanceof HTMLTextAreaElement)) return
  const [wanted, other] =
    input.value === 'text' ? ['welcomeText', 'welcomeHtml'] : ['welcomeHtml', 'welcomeText']
  if (body.value.replace(/\r\n/g, '\n').trim() === body.dataset[other])
    body.value = body.dataset[wanted] ?? body.value
})

// The send form's draft, kept in this tab (sessionStorage) as it is typed: a session that ends while composing, a
// language switch or a new sign-in gives it back. Cleared once a mail is sent; attachments cannot be kept.
const DRAFT_KEY = 'graph-connect:draft'
const DRAFT_FIELDS = [
  'to',
  'cc',
  'bcc',
  'subject',
  'body',
  'format',
  'importance',
  'saveToSentItems',
]

function readDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? 'null')
  } catch {
    return null
  }
}

/** The fields that differ from a fresh form's (the welcome mail, in either format, counts as fresh). */
function changedFields(form) {
  const data = new FormData(form)
  const defaults = JSON.parse(form.dataset.defaults ?? '{}')
  const body = form.querySelector('textarea[data-welcome-html]')
  const welcome = [body?.dataset.welcomeHtml, body?.dataset.welcomeText]
  const changed = {}
  for (const name of DRAFT_FIELDS) {
    const value = String(data.get(name) ?? '')
    const fresh =
      name === 'body'
        ? welcome.includes(value.replace(/\r\n/g, '\n').trim())
        : value === (defaults[name] ?? '')
    if (!fresh) changed[name] = value
  }
  return changed
}

function saveDraft(form) {
  const changed = changedFields(form)
  if (Object.keys(changed).length) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(changed))
  else sessionStorage.removeItem(DRAFT_KEY)
}

/** Puts the draft's fields back; a field it does not hold keeps this page's (the welcome in this page's language). */
function restoreDraft(form, draft) {
  for (const [name, value] of Object.entries(draft)) {
    if (!DRAFT_FIELDS.includes(name) || typeof value !== 'string') continue
    for (const field of form.querySelectorAll(`[name="${name}"]`)) {
      if (
        field instanceof HTMLInputElement &&
        (field.type === 'radio' || field.type === 'checkbox')
      ) {
        field.checked = field.value === value
        // The format switch swaps a welcome body to the chosen format.
        if (field.checked && name === 'format')
          field.dispatchEvent(new Event('change', { bubbles: true }))
      } else if ('value' in field) field.value = value
    }
  }
  if (draft.cc || draft.bcc) form.querySelector('details.more')?.setAttribute('open', '')
  const note = document.createElement('p')
  note.className = 'draft-note'
  note.setAttribute('role', 'status')
  note.textContent = form.dataset.draftRestored ?? ''
  form.prepend(note)
}

function setUpDrafts() {
  const form = document.querySelector('form.compose')
  if (!(form instanceof HTMLFormElement)) {
    // The Connect page: say that the draft waits for the next sign-in.
    const kept = document.querySelector('[data-draft-kept]')
    if (kept instanceof HTMLElement && readDraft()) kept.hidden = false
    return
  }
  const sent = document.querySelector('.banner--success')
  const draft = readDraft()
  if (sent) sessionStorage.removeItem(DRAFT_KEY)
  else if (form.dataset.draft === 'kept') saveDraft(form)
  else if (draft) restoreDraft(form, draft)
  // On the document, after the format switch above has swapped the welcome mail: the draft holds the result.
  const save = (event) =>
    event.target instanceof Node && form.contains(event.target) && saveDraft(form)
  document.addEventListener('input', save)
  document.addEventListener('change', save)
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUpDrafts)
else setUpDrafts()

// Instants (a token's exp, iat…) are rendered in UTC by the server; the reader sees them in their own time zone and
// language.
for (const time of document.querySelectorAll('time[datetime]')) {
  const instant = new Date(time.getAttribute('datetime') ?? '')
  if (Number.isNaN(instant.getTime())) continue
  time.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: 'medium',
    timeStyle: 'long',
  }).format(instant)
}

// The body's preview: the HTML as a mail reader shows it, in a sandboxed frame (no script, no same-origin access,
// the page's CSP inherited), or the plain text as it is. Shown only with JavaScript, which fills it.
function setUpPreview() {
  const preview = document.querySelector('details[data-preview]')
  const frame = preview?.querySelector('iframe')
  const form = preview?.closest('form')
  if (!preview || !(frame instanceof HTMLIFrameElement) || !(form instanceof HTMLFormElement))
    return
  preview.hidden = false
  const render = () => {
    if (!preview.open) return
    const data = new FormData(form)
    const body = String(data.get('body') ?? '')
    frame.srcdoc =
      data.get('format') === 'text'
        ? `<pre>${body.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`
        : body
  }
  preview.addEventListener('toggle', render)
  document.addEventListener('input', render)
  document.addEventListener('change', render)
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUpPreview)
else setUpPreview()
