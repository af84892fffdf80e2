/* global document, HTMLFormElement */
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
