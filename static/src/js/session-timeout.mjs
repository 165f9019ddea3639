// The sign-out warning: a signed-in session ends after the idle timeout (30
// minutes without a request), and an officer typing a long account into a form
// makes no request until they save. Without this, the save after 30 minutes of
// typing found the session gone and what was typed was lost.
//
// - Typing or choosing in a form is activity: it keeps the session alive, at
//   most one small request every few minutes.
// - Two minutes before the end (as the server counts it, so another tab's
//   activity counts too) a dialog offers "Stay signed in" or "Sign out".
// - When the session has ended the dialog says so, and the page stays as it is
//   so anything typed can be copied.
//
// Asking the server how long is left is not activity (SessionLifetimeMiddleware):
// a page left open does not keep its session.
//
// Signing in again in another tab (after a sign-out or the end of the session)
// gives the browser a new form token, and this page's forms would be refused
// with what was typed. The answer carries the token that works now: when the
// same person is signed in, the page's forms take it (and an ended dialog
// closes), checked whenever the tab is shown or focused again. Someone else
// signed in means this page's session is over.

const PING_EVERY_MS = 4 * 60 * 1000

function csrfToken () {
  try {
    return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRFToken'] || ''
  } catch {
    return ''
  }
}

// Every form of the page, and htmx's header, take the token that works now.
function useCsrfToken (token) {
  if (typeof token !== 'string' || !token) return
  for (const input of document.querySelectorAll('input[name="csrfmiddlewaretoken"]')) {
    input.value = token
  }
  let headers = {}
  try {
    headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}')
  } catch {}
  headers['X-CSRFToken'] = token
  document.body.setAttribute('hx-headers', JSON.stringify(headers))
}

function minutesAndSeconds (seconds) {
  const s = Math.max(0, Math.round(seconds))
  if (s >= 60) {
    const minutes = Math.ceil(s / 60)
    return `${minutes} minute${minutes === 1 ? '' : 's'}`
  }
  return `${s} second${s === 1 ? '' : 's'}`
}

export function initSessionTimeout (dialog) {
  if (!dialog || typeof dialog.showModal !== 'function') return
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000
  const statusUrl = dialog.dataset.statusUrl
  const keepAliveUrl = dialog.dataset.keepAliveUrl
  const warning = dialog.querySelector('[data-state="warning"]')
  const ended = dialog.querySelector('[data-state="ended"]')
  const countdown = dialog.querySelector('[data-countdown]')

  let endsAt = Date.now() + Number(dialog.dataset.idleSeconds) * 1000
  let lastPing = Date.now()
  let timer = null
  let ticker = null
  let isOver = false

  async function ask (url, options) {
    // 401 (or a redirect to sign in): the session is over. Anything else we
    // cannot read (the network, a 5xx): unknown, so trust our own clock.
    try {
      const response = await fetch(url, {
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        ...options
      })
      if (response.status === 401 || response.type === 'opaqueredirect') return 0
      if (!response.ok) return null
      const body = await response.json()
      if (body.user !== undefined && String(body.user) !== dialog.dataset.user) return 0
      useCsrfToken(body.csrf_token)
      return typeof body.seconds_left === 'number' ? body.seconds_left : null
    } catch {
      return null
    }
  }

  function schedule () {
    clearTimeout(timer)
    timer = setTimeout(check, Math.max(0, endsAt - warningMs - Date.now()))
  }

  function learn (secondsLeft) {
    if (secondsLeft === null) return
    endsAt = Date.now() + secondsLeft * 1000
  }

  async function check () {
    const secondsLeft = await ask(statusUrl)
    if (isOver) return secondsLeft > 0 ? resume(secondsLeft) : undefined
    learn(secondsLeft)
    const left = endsAt - Date.now()
    if (left <= 0) return showEnded()
    if (left > warningMs + 5000) {
      // Someone was active in another tab: the session has longer than we thought.
      if (dialog.open) closeDialog()
      return schedule()
    }
    showWarning()
    clearTimeout(timer)
    timer = setTimeout(check, left)
  }

  function updateCountdown () {
    countdown.textContent = minutesAndSeconds((endsAt - Date.now()) / 1000)
  }

  // The dialog is named and described by the part on show, for screen readers.
  function label (part) {
    dialog.setAttribute('aria-labelledby', part.querySelector('h2').id)
    dialog.setAttribute('aria-describedby', part.querySelector('p').id)
  }

  function showWarning () {
    warning.hidden = false
    ended.hidden = true
    label(warning)
    updateCountdown()
    clearInterval(ticker)
    ticker = setInterval(updateCountdown, 1000)
    if (!dialog.open) dialog.showModal()
  }

  function showEnded () {
    isOver = true
    clearTimeout(timer)
    clearInterval(ticker)
    warning.hidden = true
    ended.hidden = false
    label(ended)
    if (!dialog.open) dialog.showModal()
    ended.querySelector('[data-close]').focus()
  }

  // Signed in again (in another tab) as the same person: this page works again.
  function resume (secondsLeft) {
    isOver = false
    learn(secondsLeft)
    if (dialog.open) closeDialog()
    schedule()
  }

  function closeDialog () {
    clearInterval(ticker)
    dialog.close()
  }

  async function keepAlive () {
    lastPing = Date.now()
    const left = await ask(keepAliveUrl, { method: 'POST' })
    if (left === 0) return showEnded()
    learn(left)
    schedule()
  }

  dialog.querySelector('[data-keep-alive]').addEventListener('click', async () => {
    closeDialog()
    await keepAlive()
  })
  dialog.querySelector('[data-close]').addEventListener('click', closeDialog)
  // Escape closes a modal dialog: while the session lasts that is "stay signed in".
  dialog.addEventListener('cancel', (event) => {
    if (isOver) return
    event.preventDefault()
    closeDialog()
    keepAlive()
  })

  // Typing or choosing in any form on the page.
  for (const type of ['input', 'change']) {
    document.addEventListener(type, (event) => {
      if (isOver || dialog.contains(event.target)) return
      if (Date.now() - lastPing >= PING_EVERY_MS) keepAlive()
    }, true)
  }

  // Coming back to the tab: a sleeping tab may have missed its timer, and the
  // session may have been ended or started again in another tab.
  let lastReturn = 0
  function onReturn () {
    if (Date.now() - lastReturn < 2000) return
    lastReturn = Date.now()
    check()
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') onReturn()
  })
  window.addEventListener('focus', onReturn)

  schedule()
}
