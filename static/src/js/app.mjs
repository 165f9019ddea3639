// Public Protection – front-end initialisation.
//
// Loaded as <script type="module">, so it only runs in browsers that support
// ES modules: the same test GOV.UK Frontend's (inline, CSP-forbidden) template
// snippet makes before adding `govuk-frontend-supported` to <body>.
import { initAll as initGovuk } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'
import { initSessionTimeout } from './session-timeout.mjs'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initGovuk()
initMoj()
initSessionTimeout(document.getElementById('session-timeout'))

// Initialise components in content swapped in by htmx. `htmx:load` fires for
// each new element (and once for <body> at start-up, already handled above).
// Components are found inside the new element, as with initAll({ scope }).
document.addEventListener('htmx:load', (event) => {
  const scope = event.target
  if (scope instanceof Element && scope !== document.body) {
    initGovuk({ scope })
    initMoj({ scope })
  }
})

// A wide table's box (.pp-table-scroll) that actually scrolls sideways gets a tab
// stop, so keyboard users can scroll it; one that fits has none (no empty stops).
// Measured whenever the box or its table changes size: a narrower window, a
// <details> opened, new rows.
function markIfScrolling (box) {
  if (box.scrollWidth > box.clientWidth) {
    box.setAttribute('tabindex', '0')
  } else {
    box.removeAttribute('tabindex')
  }
}

const tableSizes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    markIfScrolling(entry.target.closest('.pp-table-scroll'))
  }
})

function watchTables (scope) {
  const boxes = [...scope.querySelectorAll('.pp-table-scroll')]
  if (scope.matches('.pp-table-scroll')) {
    boxes.push(scope)
  }
  for (const box of boxes) {
    tableSizes.observe(box)
    if (box.firstElementChild) {
      tableSizes.observe(box.firstElementChild)
    }
  }
}

watchTables(document.body)
document.addEventListener('htmx:load', (event) => {
  if (event.target instanceof Element && event.target !== document.body) {
    watchTables(event.target)
  }
})
