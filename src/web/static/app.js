/* global document, HTMLFormElement, HTMLInputElement, HTMLTextAreaElement */
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
