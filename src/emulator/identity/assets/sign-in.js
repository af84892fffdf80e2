/* global document, Element */
// Demo accounts: a click fills the email (email step) or the password (password step).
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button.account') : null
  if (!button) return
  const password = document.getElementById('i0118')
  const email = document.getElementById('i0116')
  if (password) {
    password.value = button.dataset.password || ''
    password.focus()
  } else if (email) {
    email.value = button.dataset.email || ''
    email.focus()
  }
})
