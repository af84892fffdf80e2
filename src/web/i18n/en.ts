/** English UI strings. `fr.ts` has exactly the same keys (checked by i18n.test.ts). `{name}` marks a parameter. */
export const en = {
  'lang.name': 'English',
  'lang.switch': 'Language',
  'app.title': 'Microsoft Graph Connect sample',
  'app.skip': 'Skip to content',
  'nav.disconnect': 'Disconnect',
  'nav.flow': 'Sign-in flow',
  'nav.home': 'Home',

  'connect.lead': 'Use the button below to connect to Microsoft 365.',
  'connect.button': 'Connect to Microsoft 365',
  'connect.demo':
    'Offline demo: you sign in to the built-in emulator with a demo account (the terminal running the app lists them), and mail goes to its inbox viewer. Nothing reaches Microsoft.',
  'connect.note': 'You sign in on the Microsoft sign-in page. This app never sees your password.',
  'connect.draftKept': 'Your unsent mail is kept in this tab: connect again to finish it.',
  'connect.signedOut': 'You are signed out. Connect again whenever you like.',

  'main.hi': 'Hi, {name}!',
  'main.lead':
    "You're now connected to Microsoft 365. Click the button below to send a message from your account using the Microsoft Graph API.",
  'main.photo': 'Profile photo of {name}',
  'main.signedInAs': 'Signed in as {address}',

  'form.legend': 'New message',
  'form.to': 'To',
  'form.cc': 'Cc',
  'form.bcc': 'Bcc',
  'form.recipientsHint': 'Separate several addresses with commas or semicolons.',
  'form.subject': 'Subject',
  'form.body': 'Message',
  'form.preview': 'Preview',
  'form.previewTitle': 'The message as it will be read (remote images are not loaded)',
  'form.format': 'Format',
  'form.format.html': 'HTML',
  'form.format.text': 'Plain text',
  'form.importance': 'Importance',
  'form.importance.low': 'Low',
  'form.importance.normal': 'Normal',
  'form.importance.high': 'High',
  'form.attachments': 'Attachments',
  'form.attachmentsHint':
    'Up to 25 MB in all: up to 3 MB travels with the message, larger files are uploaded in pieces.',
  'form.attachmentsHintSmall': 'Up to 3 MB in all.',
  'form.saveToSentItems': 'Save to Sent Items',
  'form.send': 'Send mail',
  'form.sending': 'Sending…',
  'form.draftRestored': 'Your unsent mail was restored. Attachments must be chosen again.',
  'form.more': 'Cc, Bcc and options',

  'flash.sent': 'Successfully sent an email to {addresses}!',
  'flash.sentConfirmed': "Confirmed in Sent Items after Graph's answer was lost.",
  'flash.failed': "The mail wasn't sent.",
  'flash.unknown': 'We could not confirm that the mail was sent.',
  'flash.fieldErrors': 'Please correct the fields marked below, then send again.',
  'flash.reattach': 'Attachments are not kept after a failed send: choose them again.',

  'error.title': 'Something went wrong',
  'error.home': 'Back to the app',
  'error.tryAgain': 'Try again',
  'error.otherAccount': 'Use another account',
  'error.signInAgain': 'Sign in again',
  'error.reference': 'Reference: {id}',
  'error.detail': 'Details from the identity provider: {detail}',

  'error.notFound.title': 'Page not found',
  'error.notFound.text': 'There is no page at this address. Check the link, or go back to the app.',
  'error.generic.title': 'Something went wrong on our side',
  'error.generic.text':
    'The app hit an unexpected problem. Try again; if it keeps happening, give the reference below to your administrator.',
  'error.store.title': 'The app is temporarily unavailable',
  'error.store.text':
    'The app cannot reach its session store right now. Wait a few seconds and try again.',
  'error.state.title': 'This sign-in link is no longer valid',
  'error.state.text':
    'The sign-in response did not match a sign-in started in this browser, or it was already used. Start the sign-in again from this browser.',
  'error.cancelled.title': 'Sign-in cancelled',
  'error.cancelled.text':
    'You cancelled the sign-in or declined the permissions the app asks for. Nothing was changed. You can try again whenever you are ready.',
  'error.consent.title': 'Consent is needed',
  'error.consent.text':
    'This app needs your consent (or an administrator’s) to read your profile and send mail as you. Try again and accept the permissions, or ask an administrator to grant consent for your organization.',
  'error.redirectUri.title': 'The reply URL is not registered',
  'error.redirectUri.text':
    'The identity provider refused the reply URL (AADSTS50011). In the Entra admin center, open the app registration, Authentication, Web platform, and add exactly this redirect URI: {uri}',
  'error.unknownApp.title': 'The app is not registered in this directory',
  'error.unknownApp.text':
    'The identity provider does not know this client id (AADSTS700016). Check CLIENT_ID against the app registration’s "Application (client) ID", and that AUTHORITY points at the right tenant.',
  'error.badSecret.title': 'The app’s credentials were refused',
  'error.badSecret.text':
    'The identity provider refused the client secret or certificate (for example AADSTS7000215: invalid secret, or an expired one). Create a new client secret in the app registration, set CLIENT_SECRET and restart the app.',
  'error.idp.title': 'The sign-in did not complete',
  'error.idp.text':
    'The identity provider refused the sign-in ({code}). Try again; if it keeps happening, give the details below to your administrator.',
  'error.idToken.title': 'The sign-in response could not be trusted',
  'error.idToken.text':
    'The identity token failed validation, so you were not signed in. Start the sign-in again.',
  'error.code.title': 'The sign-in code was refused',
  'error.code.text': 'The sign-in code expired or was already used. Start the sign-in again.',
  'error.authUnavailable.title': 'Microsoft sign-in is unavailable',
  'error.authUnavailable.text':
    'The identity provider is not answering right now. You are still signed in; try again in a minute.',
  'error.metadata.title': 'The identity provider could not be reached',
  'error.metadata.text':
    'The app could not load the identity provider’s configuration. Check AUTHORITY and the network, then try again.',
  'error.reauth.title': 'Please sign in again',
  'error.reauth.text':
    'Your sign-in has expired and could not be renewed. Sign in again to continue; what you typed is kept.',
  'error.forbidden.text':
    'Microsoft Graph refused to send mail for this account (403): the Mail.Send permission (and Mail.ReadWrite, for attachments over 3 MB) is not granted, or the mailbox cannot send. Ask an administrator to grant it, then sign in again.',
  'error.throttled.text':
    'Microsoft Graph is limiting requests (429). Try again in {seconds} seconds.',
  'error.invalidRecipients.text':
    'Microsoft Graph refused at least one recipient. Check the addresses and send again.',
  'error.tooLarge.text': 'The message is too large. Remove or shrink attachments and send again.',
  'error.outcomeUnknown.text':
    'The connection to Microsoft Graph failed while sending, so the mail may or may not have gone. Check your Sent Items before sending again.',
  'error.graphUnavailable.text':
    'Microsoft Graph is unavailable right now. Nothing was sent; try again in a minute.',
  'error.graphRequest.text': 'Microsoft Graph refused the request ({code}). Nothing was sent.',
  'error.graphRequestId': 'Graph request-id: {id}',
  'error.csrf.title': 'This form has expired',
  'error.csrf.text':
    'The request did not come from this app’s page, or the page is too old. Reload the page and try again.',
  'error.rateLimited.title': 'Too many requests',
  'error.rateLimited.text':
    'You have made too many requests in a short time. Try again in {seconds} seconds.',
  'error.tooLargeRequest.title': 'The request is too large',
  'error.tooLargeRequest.text':
    'What you sent is larger than this app accepts. Remove or shrink attachments and try again.',
  'error.badRequest.title': 'The request could not be read',
  'error.badRequest.text':
    'The browser sent something this app does not understand. Reload the page and try again.',
  'error.method.title': 'Not allowed',
  'error.method.text':
    'This address does not accept this kind of request. Use the buttons in the app.',
  'error.signedOut.text': 'Your session has ended. Connect again to send mail.',

  'field.required': 'Enter at least one recipient.',
  'field.lineBreak': 'Line breaks and control characters are not allowed here.',
  'field.invalidAddress': '“{value}” is not a valid email address.',
  'field.tooManyAttachments': 'Attach at most {limit} files.',
  'field.tooManyRecipients': 'Send to at most {limit} recipients in all.',
  'field.subjectTooLong': 'Keep the subject under {limit} characters.',
  'field.bodyTooLarge': 'The message is larger than 1 MB.',
  'field.attachmentsTooLarge': 'Attachments are larger than 25 MB in all.',
  'field.needsMailReadWrite':
    'This app sends attachments of up to 3 MB in all: attach smaller files, or send them in several mails.',
  'field.formatChoice': 'Choose HTML or Plain text.',
  'field.importanceChoice': 'Choose low, normal or high importance.',
  'field.invalidChoice': 'This value is not allowed.',

  'welcome.subject': 'Welcome to Microsoft Graph development with the Graph Connect sample',
  'welcome.greeting': 'Hello,',
  'welcome.intro':
    '{name} sent you this message with the Microsoft Graph Connect sample: Microsoft 365 services, one call away from any app.',
  'welcome.next': 'What’s next?',
  'welcome.link.overview': 'Read the Microsoft Graph overview',
  'welcome.link.sendMail': 'See the sendMail API reference',
  'welcome.link.explorer': 'Try requests in Graph Explorer',
  'welcome.feedback': 'Give us feedback',
  'welcome.feedbackText':
    'Tell us what you think of this sample, and what you would like it to do next.',
  'welcome.closing': 'Thanks and happy coding!',
  'welcome.signature': 'Your Graph Connect sample',
  'welcome.colon': ':',

  'flow.title': 'Sign-in flow',
  'flow.lead': 'The five steps of this session, as they happened. Secrets and tokens are redacted.',
  'flow.empty': 'Nothing recorded yet for this session.',
  'flow.step1': '1. Redirect to the sign-in page (authorize request)',
  'flow.step2': '2. Reply URL receives the authorization code',
  'flow.step3': '3. Token request (code redeemed)',
  'flow.step4': '4. Token response',
  'flow.step5': '5. Microsoft Graph calls',
  'flow.params': 'Parameters',
  'flow.claims': 'Decoded claims',
  'flow.request': 'Request',
  'flow.response': 'Response',
  'flow.status': 'Status',
  'flow.duration': 'Duration',
  'flow.requestId': 'request-id',
  'flow.noCalls': 'No Graph call yet.',
  'flow.notRecorded': 'Not recorded.',
} as const

export type MessageKey = keyof typeof en
