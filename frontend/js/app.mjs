// Public Protection – front-end initialisation.
//
// Loaded as <script type="module">, so it only runs in browsers that support
// ES modules: the same test GOV.UK Frontend's (inline, CSP-forbidden) template
// snippet makes before adding `govuk-frontend-supported` to <body>.
import { initAll as initGovuk } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initGovuk()
initMoj()

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
