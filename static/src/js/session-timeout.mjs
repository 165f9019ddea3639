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
//
// Answers can be read late and out of order (a laptop shut with a request under
// way, a busy server, a check on coming back beside the timer's own): each
// counts from when it was asked, not when it was read, and one asked before an
// answer already used is ignored. A request the server does not answer is given
// up after a while, so the page falls back on its own clock instead of waiting
// for ever.

const PING_EVERY_MS = 4 * 60 * 1000
const REQUEST_TIMEOUT_MS = 20 * 1000

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

  let asked = 0 // requests sent
  let heard = 0 // the latest of them whose answer was used

  // What the server says, as { secondsLeft, at } (at: when it was asked), or
  // undefined for an answer older than one already used.
  async function ask (url, options) {
    const request = ++asked
    const at = Date.now()
    const answer = await read(url, options)
    if (request < heard) return undefined
    if (answer.secondsLeft !== null) heard = request
    useCsrfToken(answer.csrfToken)
    return { secondsLeft: answer.secondsLeft, at }
  }

  function timeLimit () {
    if (typeof AbortSignal !== 'function' || typeof AbortSignal.timeout !== 'function') return undefined
    return AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  }

  async function read (url, options) {
    // 401 (or a redirect to sign in): the session is over. Anything else we
    // cannot read (the network, a 5xx, no answer in time): unknown, so trust
    // our own clock.
    try {
      const response = await fetch(url, {
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        signal: timeLimit(),
        ...options
      })
      if (response.status === 401 || response.type === 'opaqueredirect') return { secondsLeft: 0 }
      if (!response.ok) return { secondsLeft: null }
      const body = await response.json()
      if (body.user !== undefined && String(body.user) !== dialog.dataset.user) return { secondsLeft: 0 }
      return {
        secondsLeft: typeof body.seconds_left === 'number' ? body.seconds_left : null,
        csrfToken: body.csrf_token
      }
    } catch {
      return { secondsLeft: null }
    }
  }

  function schedule () {
    clearTimeout(timer)
    timer = setTimeout(check, Math.max(0, endsAt - warningMs - Date.now()))
  }

  // The end, counted from when the server was asked (it may have been read much
  // later); nothing to learn from an unknown answer.
  function learn (answer) {
    if (answer.secondsLeft === null) return
    endsAt = answer.at + answer.secondsLeft * 1000
  }

  async function check () {
    const answer = await ask(statusUrl)
    if (answer === undefined) return // a later request's answer has been used
    if (isOver) return answer.secondsLeft > 0 ? resume(answer) : undefined
    learn(answer)
    const left = endsAt - Date.now()
    if (left <= 0) {
      // Time was left when the server was asked, but the answer was read too late
      // to say whether it still is: ask again.
      if (answer.secondsLeft > 0) return schedule()
      return showEnded()
    }
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
  function resume (answer) {
    isOver = false
    learn(answer)
    if (dialog.open) closeDialog()
    schedule()
  }

  function closeDialog () {
    clearInterval(ticker)
    dialog.close()
  }

  async function keepAlive () {
    lastPing = Date.now()
    const answer = await ask(keepAliveUrl, { method: 'POST' })
    if (answer === undefined) return // a later request's answer has been used
    if (isOver) return answer.secondsLeft > 0 ? resume(answer) : undefined
    if (answer.secondsLeft === 0) return showEnded()
    learn(answer)
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
