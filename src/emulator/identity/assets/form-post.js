/* global document */
// response_mode=form_post: submit the hidden form back to the application.
document.forms.hiddenform.submit()
