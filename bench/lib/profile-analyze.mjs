// Reads a saved .cpuprofile (from bench/profile.mjs) three ways:
//   node bench/lib/profile-analyze.mjs <file> top [n]          self time by function
//   node bench/lib/profile-analyze.mjs <file> callers [fn]     a function's self time by caller chain (default exec: SQL)
//   node bench/lib/profile-analyze.mjs <file> inclusive fn…    self + callee time of named functions
//   node bench/lib/profile-analyze.mjs <file> roots [depth] [n] time by the first `depth` frames of each
//                                                              stack: after an await a stack starts at the
//                                                              function that resumed, so this is where to look
import { readFileSync } from 'node:fs'

const [file, mode = 'top', ...args] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const samples = profile.samples.map((id, i) => ({ id, us: profile.timeDeltas[i + 1] ?? 0 }))
const total = samples.reduce((sum, s) => sum + s.us, 0)
const name = (id) => byId.get(id).callFrame.functionName || '(anonymous)'
const line = (us, of, label) =>
  `${((100 * us) / of).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(6)} s  ${label}`
const sorted = (map) => [...map].sort((a, b) => b[1] - a[1])

function add(map, key, us) {
  map.set(key, (map.get(key) ?? 0) + us)
}

console.log(`${(total / 1e6).toFixed(2)} s sampled`)
if (mode === 'top') {
  const self = new Map()
  for (const { id, us } of samples) {
    const { url, lineNumber } = byId.get(id).callFrame
    add(self, `${name(id)}  ${url ? `${url.slice(-40)}:${lineNumber + 1}` : '(native)'}`, us)
  }
  for (const [key, us] of sorted(self).slice(0, Number(args[0] ?? 30))) console.log(line(us, total, key))
} else if (mode === 'callers') {
  const fn = args[0] ?? 'exec'
  const byCaller = new Map()
  let fnTotal = 0
  for (const { id, us } of samples) {
    if (name(id) !== fn) continue
    fnTotal += us
    const chain = []
    for (let p = parent.get(id); p && chain.length < 3; p = parent.get(p)) chain.push(name(p))
    add(byCaller, chain.join(' < '), us)
  }
  console.log(`${fn}: ${(fnTotal / 1e6).toFixed(2)} s self time`)
  for (const [key, us] of sorted(byCaller).slice(0, 20)) console.log(line(us, fnTotal, key))
} else if (mode === 'inclusive') {
  const totals = new Map(args.map((fn) => [fn, 0]))
  let idle = 0
  for (const { id, us } of samples) {
    if (name(id) === '(idle)') idle += us
    const seen = new Set()
    for (let p = id; p; p = parent.get(p)) {
      const fn = name(p)
      if (totals.has(fn) && !seen.has(fn)) {
        add(totals, fn, us)
        seen.add(fn)
      }
    }
  }
  console.log(`busy ${((total - idle) / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s)`)
  for (const [fn, us] of sorted(totals)) console.log(line(us, total - idle, fn))
} else if (mode === 'roots') {
  const depth = Number(args[0] ?? 1)
  const byPath = new Map()
  for (const { id, us } of samples) {
    const chain = []
    for (let p = id; p; p = parent.get(p)) chain.push(name(p))
    chain.pop() // (root)
    add(byPath, chain.slice(-depth).reverse().join(' > ') || '(root)', us)
  }
  for (const [key, us] of sorted(byPath).slice(0, Number(args[1] ?? 30))) console.log(line(us, total, key))
}
