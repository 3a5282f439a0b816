// Adds lockfile entries for platform builds (darwin, win32, musl…) that the npm mirror on our
// build machines does not serve, so `npm ci` accepts the lockfile on every platform.
// Run after `npm install` changes package-lock.json. Entries carry no integrity: a machine that
// needs one resolves it from its registry; on every other platform npm skips it as optional.
import { readFileSync, writeFileSync } from 'node:fs'

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const packages = lock.packages
let added = 0
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const topLevel = `node_modules/${name}`
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`
    // A range such as "~2.3.3" is pinned to its lowest version, which every such range admits.
    const pinned = version.replace(/^[~^>=\s]+/, '')
    if (packages[nested] || packages[topLevel]?.version === pinned) continue
    const at = packages[topLevel] ? nested : topLevel
    packages[at] = { version: pinned, dev: meta.dev, optional: true }
    added++
  }
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`)
console.log(`complete-lockfile: added ${added} platform entries`)
