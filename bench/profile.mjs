// `node bench/profile.mjs [rows=100000] [latency_ms=0]`: a CPU profile of the Worker's isolate (the
// API, the queue consumer and both Durable Object classes run in it) while one file batch runs.
// `node bench/profile.mjs api [path=/v1/batches/:id] [connections=16]`: the same while autocannon
// loads one endpoint straight on the runtime (`:id` is a finished batch of the bench-api tenant).
// Connects to wrangler's inspector, records with V8's sampling profiler, writes
// bench/results/profile-<rows>.cpuprofile (open it in Chrome DevTools) and prints where the
// time went: self time by function and by source file. bench/lib/profile-analyze.mjs reads the
// saved profile further (callers of a function, inclusive time).

import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { client, generateJsonl, runFileBatch, waitForBatch } from './lib/batch-run.mjs'
import { inspector } from './lib/inspector.mjs'
import { startSampler } from './lib/sampler.mjs'
import { startStack } from './lib/stack.mjs'

const apiMode = process.argv[2] === 'api'
const rows = apiMode ? 0 : Number(process.argv[2] ?? 100_000)
const latency = apiMode ? 0 : Number(process.argv[3] ?? 0)
const root = resolve(import.meta.dirname, '..')

const stack = await startStack({
  name: 'profile',
  vars: latency ? { SIMULATED_LATENCY_MS: String(latency) } : {},
})
try {
  const input = apiMode ? null : await generateJsonl(rows)
  const api = client(stack.baseUrl, stack.tenant.apiKey)
  const load = apiMode ? await apiLoad(stack) : null
  const cdp = await inspector(stack.inspectorPort)
  console.error(`profiling ${cdp.targets.map((t) => t.title).join(', ')}`)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
  await cdp.send('Profiler.start')
  const sampler = startSampler({
    workerd: stack.workerdPid,
    workerd_proxy: stack.proxyPid,
    wrangler_node: stack.wranglerPid,
  })
  const run = load ? load() : await runFileBatch(api, { input, rows })
  const processes = sampler.stop()
  const { result } = await cdp.send('Profiler.stop')
  cdp.close()
  const profile = result.profile
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  const name = apiMode ? 'api' : rows
  writeFileSync(join(root, `bench/results/profile-${name}.cpuprofile`), JSON.stringify(profile))

  // Self time per node from the samples and their intervals.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fns = new Map()
  const files = new Map()
  for (const [nodeId, us] of self) {
    const { functionName, url, lineNumber } = byId.get(nodeId).callFrame
    const file = url ? url.replace(/^.*\/(node_modules\/|bench-wt\/)?/, '').slice(-60) : '(native)'
    const key = `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`
    fns.set(key, (fns.get(key) ?? 0) + us)
    files.set(file, (files.get(file) ?? 0) + us)
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(6)} s  ${k}`,
      )
  console.log(
    apiMode
      ? `load: ${JSON.stringify(run)}`
      : `batch: ${JSON.stringify(run.phases)} ${JSON.stringify(run.rates)}`,
  )
  console.log(
    `process CPU s: ${JSON.stringify(Object.fromEntries(Object.entries(processes).map(([k, v]) => [k, v.cpu_s])))}`,
  )
  console.log(
    `\nisolate samples: ${(total / 1e6).toFixed(2)} s (idle included as "(idle)")\n\nTop functions by self time:`,
  )
  console.log(top(fns, 40).join('\n'))
  console.log('\nBy file:')
  console.log(top(files, 25).join('\n'))
} finally {
  await stack.stop()
}

/** A finished batch to read, and a function that loads the endpoint for 4 s (profiled meanwhile). */
async function apiLoad(stack) {
  const tenant = await stack.seedTenant('bench-api')
  const api = client(stack.baseUrl, tenant.apiKey)
  const items = [{ custom_id: 'a', input: { title: 'Profiled' } }]
  const batch = await api.createBatch({ task: 'product_description', params: {}, items })
  await waitForBatch(api, batch.id, { t0: Date.now() })
  const path = (process.argv[3] ?? '/v1/batches/:id').replace(':id', batch.id)
  const options = {
    url: `${stack.runtimeUrl}${path}`,
    connections: Number(process.argv[4] ?? 16),
    duration: 4,
    headers: { authorization: `Bearer ${tenant.apiKey}` },
  }
  return () => {
    const child = spawnSync(process.execPath, [join(root, 'bench/lib/load.mjs'), JSON.stringify(options)], {
      encoding: 'utf8',
    })
    return JSON.parse(child.stdout.trim().split('\n').at(-1))
  }
}
