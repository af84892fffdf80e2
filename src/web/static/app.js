/* global document, sessionStorage, FormData, Node, HTMLElement, HTMLFormElement, HTMLInputElement, HTMLTextAreaElement */
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

function saveDraft(form) {
  const data = new FormData(form)
  const draft = Object.fromEntries(DRAFT_FIELDS.map((name) => [name, data.get(name) ?? '']))
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft))
}

function restoreDraft(form, draft) {
  for (const name of DRAFT_FIELDS) {
    const value = typeof draft[name] === 'string' ? draft[name] : ''
    for (const field of form.querySelectorAll(`[name="${name}"]`)) {
      if (
        field instanceof HTMLInputElement &&
        (field.type === 'radio' || field.type === 'checkbox')
      )
        field.checked = field.value === value
      else if ('value' in field) field.value = value
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
