// Build front-end assets from static/src/ into static/dist/ (no bundler).
//
//   npm run build
//   ASSETS_OUTDIR=/tmp/dist npm run build   # somewhere else, e.g. to check the build
//
// - compiles static/src/scss/app.scss -> static/dist/app.css (compressed)
// - copies the GOV.UK Frontend, MOJ Frontend and htmx JavaScript
// - copies our own scripts: static/src/js/app.mjs and the modules it imports
// - copies our own icons plus the MOJ component icons; no crown or crest
//   artwork and no GDS Transport font files are ever copied.

import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const modules = join(root, 'node_modules')
const src = join(root, 'static', 'src')
const out = process.env.ASSETS_OUTDIR ? resolve(process.env.ASSETS_OUTDIR) : join(root, 'static', 'dist')

const govukDist = join(modules, 'govuk-frontend', 'dist', 'govuk')
const mojDist = join(modules, '@ministryofjustice', 'frontend', 'moj')

// Branding artwork we must not ship: crown, crest, logos, GOV.UK icons.
const BRANDING = /crown|crest|logo|govuk-icon|opengraph|apple-touch|favicon/i

function copy (from, to) {
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(from, to)
}

function copyImages (fromDir, toDir) {
  for (const name of readdirSync(fromDir)) {
    const file = join(fromDir, name)
    if (statSync(file).isFile() && !BRANDING.test(name)) {
      copy(file, join(toDir, name))
    }
  }
}

// Start from a clean output directory so removed assets do not linger.
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

// --- Styles ----------------------------------------------------------------
const result = sass.compile(join(src, 'scss', 'app.scss'), {
  style: 'compressed',
  loadPaths: [root, modules],
  importers: [new sass.NodePackageImporter(root)],
  // Deprecation warnings from node_modules are not ours to fix.
  quietDeps: true,
  logger: {
    // GOV.UK Frontend also reports its own deprecations with @warn. Hide the
    // ones triggered by another dependency (MOJ Frontend still uses some
    // deprecated GOV.UK mixins); show any triggered by our own Sass.
    warn (message, { deprecation, stack = '' }) {
      const caller = stack.split('\n').find((line) => !line.includes('node_modules/govuk-frontend/'))
      if (!deprecation && caller?.includes('node_modules/')) return
      console.warn(`WARNING: ${message}\n${stack}`)
    }
  }
})
if (result.css.includes('GDS Transport')) {
  throw new Error('app.css references the GDS Transport font: check the font settings')
}
writeFileSync(join(out, 'app.css'), result.css + '\n')

// --- JavaScript ----------------------------------------------------------------
for (const [from, name] of [
  [join(govukDist, 'govuk-frontend.min.js'), 'govuk-frontend.min.js'],
  [join(govukDist, 'govuk-frontend.min.js.map'), 'govuk-frontend.min.js.map'],
  [join(mojDist, 'moj-frontend.min.js'), 'moj-frontend.min.js'],
  [join(mojDist, 'moj-frontend.min.js.map'), 'moj-frontend.min.js.map'],
  [join(modules, 'htmx.org', 'dist', 'htmx.min.js'), 'htmx.min.js'],
  [join(src, 'js', 'app.mjs'), 'app.mjs'],
  [join(src, 'js', 'session-timeout.mjs'), 'session-timeout.mjs']
]) {
  copy(from, join(out, name))
}

// --- Images ----------------------------------------------------------------
// GOV.UK Frontend's images are all GOV.UK branding (crown favicon, crest,
// icons), so they are filtered out; MOJ component icons are kept.
const images = join(out, 'assets', 'images')
copyImages(join(govukDist, 'assets', 'images'), images)
copyImages(join(mojDist, 'assets', 'images'), images)
cpSync(join(src, 'assets', 'images'), images, { recursive: true })

// --- Report ----------------------------------------------------------------
function list (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = join(dir, entry.name)
    return entry.isDirectory() ? list(file) : [file]
  })
}
for (const file of list(out).sort()) {
  const kb = (statSync(file).size / 1024).toFixed(1).padStart(7)
  console.log(`${kb} KiB  ${relative(root, file)}`)
}
