/* global document, navigator, location, EventSource, fetch, DOMParser, CSS, Element, setTimeout */
// The inbox viewer's progressive enhancement: dates in the reader's language and time zone, and live updates — on every
// change to the mailboxes (the control API's event stream), the page is fetched again and its mailbox pane, message list
// and message actions are replaced in place (focus, open disclosures and scroll kept; the open message's frame untouched).

const lang = document.documentElement.lang || 'en'
const locale =
  (navigator.languages || []).find((tag) => tag.toLowerCase().split('-')[0] === lang) || lang
const formats = {
  time: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }),
  day: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }),
  date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
  long: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }),
  full: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long' }),
}

/** Every <time datetime> under `root`, in the reader's words: the time today, else the day (and year). */
function formatTimes(root) {
  const now = new Date()
  for (const element of root.querySelectorAll('time[datetime]')) {
    const date = new Date(element.dateTime)
    if (Number.isNaN(date.getTime())) continue
    let text
    if (element.dataset.format === 'long') text = formats.long.format(date)
    else if (date.toDateString() === now.toDateString()) text = formats.time.format(date)
    else if (date.getFullYear() === now.getFullYear()) text = formats.day.format(date)
    else text = formats.date.format(date)
    element.textContent = text
    element.title = formats.full.format(date)
  }
}

/** The parts a change can alter; the reading pane's frame is never reloaded. */
const LIVE = ['#pane', '#list', '#message-actions']

/** How to find the focused element again in a fresh copy of its region. */
function locate(element) {
  if (element.id) return `#${CSS.escape(element.id)}`
  if (element.matches('a[href]')) return `a[href="${CSS.escape(element.getAttribute('href'))}"]`
  const form = element.closest('form[action]')
  if (form) return `form[action="${CSS.escape(form.getAttribute('action'))}"] button`
  const details = element.closest('details[id]')
  if (details) return `#${CSS.escape(details.id)} > summary`
  return undefined
}

function swap(fresh) {
  const active = document.activeElement
  for (const selector of LIVE) {
    const old = document.querySelector(selector)
    const next = fresh.querySelector(selector)
    if (!old || !next) continue
    const focus = old.contains(active) && active instanceof Element ? locate(active) : undefined
    for (const details of next.querySelectorAll('details[id]'))
      details.open = Boolean(old.querySelector(`#${CSS.escape(details.id)}`)?.open)
    next.scrollTop = old.scrollTop
    old.replaceWith(next)
    formatTimes(next)
    if (focus) next.querySelector(focus)?.focus({ preventScroll: true })
  }
  document.title = fresh.title
}

async function refresh() {
  const response = await fetch(location.href, {
    headers: { accept: 'text/html' },
    cache: 'no-store',
  })
  if (response.status === 404) {
    // The open message is gone (deleted elsewhere): back to its list.
    const back = document.querySelector('.message .back a')
    if (back) location.replace(back.href)
    return
  }
  if (!response.ok) return
  swap(new DOMParser().parseFromString(await response.text(), 'text/html'))
}

/** Changes arrive in bursts (one send stores several copies): one refresh for the burst, one announcement. */
function listen(url) {
  const live = document.getElementById('live')
  let pending
  let arrived = []
  let lost = false
  const later = () => {
    pending = undefined
    const subjects = arrived
    arrived = []
    refresh().then(
      () => {
        if (live && subjects.length)
          live.textContent = `${live.dataset.newMail} ${subjects.join(' · ')}`
      },
      () => undefined,
    )
  }
  const schedule = () => (pending ??= setTimeout(later, 100))
  const source = new EventSource(url)
  source.addEventListener('mail', (event) => {
    const change = JSON.parse(event.data)
    if (change.change === 'created' && change.folder !== 'sentitems') arrived.push(change.subject)
    schedule()
  })
  // After a lost connection, what changed meanwhile was not told: refresh once the stream is back.
  source.addEventListener('error', () => (lost = true))
  source.addEventListener('ready', () => {
    if (lost) schedule()
    lost = false
  })
}

formatTimes(document)
if (document.body.dataset.events && typeof EventSource === 'function')
  listen(document.body.dataset.events)
