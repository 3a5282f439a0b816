// `npm run bench [-- --quick] [-- --repeat=2] [-- --only=throughput,latency,api] [-- --cache]`: the benchmarks of
// issue 6 on a private local stack (wrangler dev --local, workerd, simulated provider). Prints a
// table and writes bench/results/latest.json (plus a timestamped copy). See bench/README.md.
import { execSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { client, generateJsonl, runFileBatch, waitForBatch } from './lib/batch-run.mjs'
import { startHeapSampler } from './lib/inspector.mjs'
import { markdownTables, printTables } from './lib/report.mjs'
import { startSampler } from './lib/sampler.mjs'
import { startStack } from './lib/stack.mjs'

const root = resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)
const flag = (name) => argv.includes(`--${name}`)
const option = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const quick = flag('quick')
/** Batches opt in to the tenant's response cache (off by default for batches). */
const cache = flag('cache')
const only = option('only', 'throughput,latency,api').split(',')
const repeat = Number(option('repeat', '1'))
const sizes = option('sizes', quick ? '10000,100000' : '10000,100000,1000000')
  .split(',')
  .map(Number)
const LATENCY_MS = 200
const latencyRows = Number(option('latency-rows', quick ? '10000' : '100000'))
const faultRows = Number(option('fault-rows', '100000'))
/** Per attempt of a task: rate limited, server error, timeout (1 s here), or the consumer crashing. */
const FAULTS = option('failures', '429:0.03,500:0.02,timeout:0.002,crash:0.0002')
const apiSeconds = Number(option('api-seconds', quick ? '2' : '10'))
const API_CONNECTIONS = [1, 16, 64]
const FAIRNESS_TASKS = 100

const log = (...parts) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts)

function packageVersion(name) {
  for (const dir of [`node_modules/wrangler/node_modules/${name}`, `node_modules/${name}`]) {
    try {
      return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).version
    } catch {}
  }
  return null
}

function machine() {
  const sh = (cmd) => {
    try {
      return execSync(cmd, { cwd: root, encoding: 'utf8' }).trim()
    } catch {
      return null
    }
  }
  return {
    nproc: Number(sh('nproc')),
    cpu_model: cpus()[0]?.model ?? null,
    ram_gb: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    wrangler: JSON.parse(readFileSync(join(root, 'node_modules/wrangler/package.json'), 'utf8')).version,
    // wrangler may carry its own miniflare and workerd, newer than the top-level ones.
    workerd: packageVersion('workerd'),
    miniflare: packageVersion('miniflare'),
    git_commit: sh('git rev-parse --short HEAD'),
    git_dirty: Boolean(sh('git status --porcelain --untracked-files=no')),
    loadavg_at_start: sh('cat /proc/loadavg'),
  }
}

/** Milestones the BatchCoordinator logs (`batch.ingested`, `batch.finalized`), if present. */
function milestones(stack, batchId) {
  const found = {}
  for (const line of stack.log().split('\n')) {
    const at = line.indexOf('{"event":"batch.')
    if (at === -1 || !line.includes(batchId)) continue
    try {
      const event = JSON.parse(line.slice(at))
      found[event.event] = event
    } catch {}
  }
  return found
}

/** Runs one file batch with the stack's processes sampled; optionally a small batch alongside. */
async function measuredBatch(stack, api, input, rows, { fairness = false, timeoutMs, progressEveryMs } = {}) {
  const sampler = startSampler({
    workerd: stack.workerdPid,
    workerd_proxy: stack.proxyPid,
    wrangler_node: stack.wranglerPid,
  })
  const heap = await startHeapSampler(stack.inspectorPort).catch((error) => ({
    stop: async () => ({ error: String(error) }),
  }))
  const harnessCpu = process.cpuUsage()
  let fairnessRun = null
  let loggedAt = 0
  const result = await runFileBatch(api, {
    input,
    rows,
    cache,
    timeoutMs,
    onPoll(batch, at) {
      if (progressEveryMs && at - loggedAt >= progressEveryMs) {
        loggedAt = at
        log(`${Math.round(at / 1000)} s: ${batch.status} ${JSON.stringify(batch.request_counts)}`)
      }
      // Submitted once the big batch is dispatching, as a user's second batch would arrive.
      if (
        !fairness ||
        fairnessRun ||
        batch.status !== 'in_progress' ||
        batch.request_counts.completed < rows * 0.05
      )
        return
      fairnessRun = smallBatch(api, FAIRNESS_TASKS).then((small) => ({ ...small, submitted_at_ms: at }))
    },
  })
  const processes = sampler.stop()
  processes.worker_isolate_heap = await heap.stop()
  const cpu = process.cpuUsage(harnessCpu)
  processes.harness = { cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2) }
  // The coordinator's own log says when ingest ended and what its storage holds at the end.
  const marks = milestones(stack, result.batch_id)
  const p = result.phases
  if (marks['batch.ingested']) {
    p.ingest_ms = marks['batch.ingested'].ms
    result.rates.ingest = Math.round(rows / (p.ingest_ms / 1000))
  }
  // Nothing is written at the end any more (lines are in R2 parts as chunks report); what the
  // batch object and R2 hold is reported instead.
  result.storage = {
    object_bytes: marks['batch.finalized']?.storage_bytes ?? null,
    r2_input_bytes: input.bytes,
    r2_result_bytes: result.results.jsonl_bytes,
  }
  if (processes.workerd?.cpu_s)
    processes.workerd.cpu_us_per_task = Math.round((processes.workerd.cpu_s * 1e6) / rows)
  result.processes = processes
  if (fairnessRun) result.fairness = await fairnessRun
  return result
}

/** A small inline batch: time from POST until the API reports it completed. */
async function smallBatch(api, tasks) {
  const t0 = Date.now()
  const items = Array.from({ length: tasks }, (_, i) => ({
    custom_id: `small-${i + 1}`,
    input: { title: `Small batch item ${i + 1}`, audience: 'testers' },
  }))
  const created = await api.createBatch({ task: 'product_description', params: {}, items })
  const { batch } = await waitForBatch(api, created.id, { t0 })
  return {
    tasks,
    batch_id: created.id,
    status: batch.status,
    completed: batch.request_counts.completed,
    ms: Date.now() - t0,
  }
}

function loadTest(options) {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'lib/load.mjs'), JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.on('data', (data) => {
      out += data
    })
    child.on('exit', (code) =>
      code === 0
        ? done(JSON.parse(out.trim().split('\n').at(-1)))
        : fail(new Error(`load test exited ${code}`)),
    )
  })
}

async function throughputSuite(results, tmp) {
  const stack = await startStack({ name: 'throughput' })
  log(`stack up at ${stack.baseUrl} (workerd pid ${stack.workerdPid})`)
  try {
    const api = client(stack.baseUrl, stack.tenant.apiKey)
    results.idle_rss_mb = startSampler({ workerd: stack.workerdPid }).stop().workerd.peak_rss_mb
    results.throughput = []
    for (const rows of only.includes('throughput') ? sizes : []) {
      log(`generating ${rows} rows`)
      const input = await generateJsonl(rows, tmp)
      const largest = rows === Math.max(...sizes)
      let best = null
      for (let attempt = 1; attempt <= repeat; attempt++) {
        log(`throughput: ${rows} rows, run ${attempt}/${repeat}${largest ? ' (+ fairness batch)' : ''}`)
        const run = await measuredBatch(stack, api, input, rows, { fairness: largest })
        run.attempt = attempt
        log(
          `  ${run.status} in ${run.phases.total_ms} ms → ${run.rates.overall} tasks/s overall, ` +
            `${run.rates.execute} tasks/s executing; results ${run.results.jsonl_lines} lines` +
            (run.fairness ? `; small batch ${run.fairness.ms} ms` : ''),
        )
        run.all_totals_ms = [...(best?.all_totals_ms ?? []), run.phases.total_ms]
        if (!best || run.phases.total_ms < best.phases.total_ms) best = run
        else best.all_totals_ms = run.all_totals_ms
      }
      results.throughput.push(best)
      rmSync(input.path, { force: true })
    }
  } finally {
    await stack.stop()
  }
}

/**
 * On a stack of its own: after a 1M batch the throughput stack keeps digesting it (its SQLite, the
 * local R2) for a while, which halved /healthz's rate when the API ran there.
 */
async function apiSuite(results) {
  const stack = await startStack({ name: 'api' })
  try {
    await measureApi(results, stack)
  } finally {
    await stack.stop()
  }
}

async function measureApi(results, stack) {
  const tenant = await stack.seedTenant('bench-api')
  const api = client(stack.baseUrl, tenant.apiKey)
  const small = await smallBatch(api, 10)
  // Through wrangler's dev proxy (what `npm start` serves) and straight to the workerd runtime
  // behind it (the Worker without the dev-only proxy hop).
  const routes = { proxy: stack.baseUrl, ...(stack.runtimeUrl && { direct: stack.runtimeUrl }) }
  const paths = {
    healthz: { path: '/healthz' },
    get_batch: {
      path: `/v1/batches/${small.batch_id}`,
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    },
  }
  results.api = { plan: 'bench-api', seconds_per_point: apiSeconds, batch_status: small.status, points: [] }
  for (const [via, base] of Object.entries(routes)) {
    for (const connections of API_CONNECTIONS) {
      for (const [endpoint, { path, headers }] of Object.entries(paths)) {
        log(`api: ${endpoint} via ${via} at ${connections} connections for ${apiSeconds} s`)
        const sampler = startSampler({
          workerd: stack.workerdPid,
          workerd_proxy: stack.proxyPid,
          wrangler_node: stack.wranglerPid,
        })
        const point = await loadTest({ url: `${base}${path}`, headers, connections, duration: apiSeconds })
        const processes = sampler.stop()
        results.api.points.push({
          endpoint,
          via,
          ...point,
          cpu_s: {
            workerd: processes.workerd.cpu_s,
            workerd_proxy: processes.workerd_proxy?.cpu_s,
            wrangler_node: processes.wrangler_node.cpu_s,
          },
        })
      }
    }
  }
}

async function latencySuite(results, tmp) {
  const stack = await startStack({ name: 'latency', vars: { SIMULATED_LATENCY_MS: String(LATENCY_MS) } })
  log(`latency stack up at ${stack.baseUrl}`)
  try {
    const api = client(stack.baseUrl, stack.tenant.apiKey)
    const input = await generateJsonl(latencyRows, tmp)
    const concurrency = 2000 // the pro plan's max_concurrent_tasks
    const bound = Math.round(concurrency / (LATENCY_MS / 1000))
    let best = null
    for (let attempt = 1; attempt <= repeat; attempt++) {
      log(`latency: ${latencyRows} rows at ${LATENCY_MS} ms, run ${attempt}/${repeat}`)
      const run = await measuredBatch(stack, api, input, latencyRows)
      log(`  ${run.status}: ${run.rates.execute} tasks/s executing (bound ${bound})`)
      if (!best || run.phases.total_ms < best.phases.total_ms) best = run
    }
    results.latency = {
      latency_ms: LATENCY_MS,
      concurrency,
      bound_tasks_per_s: bound,
      ...best,
      execute_vs_bound: +(best.rates.execute / bound).toFixed(3),
    }
  } finally {
    await stack.stop()
  }
}

/**
 * 1M tasks (or --fault-rows) with the simulated provider failing on purpose — 429s, 500s,
 * timeouts and consumer crashes — on a stack of its own: every task must end exactly once, the
 * counts must add up, and the results file must hold each row once.
 */
async function faultSuite(results, tmp) {
  const stack = await startStack({
    name: 'faults',
    // A short attempt timeout: locally one queue invocation runs at a time, and a lane waiting out
    // a timeout holds it, so this is what the fault run's time mostly is.
    vars: { SIMULATED_FAILURES: FAULTS, TASK_TIMEOUT_MS: '250' },
  })
  log(`fault stack up at ${stack.baseUrl} (SIMULATED_FAILURES=${FAULTS})`)
  try {
    const api = client(stack.baseUrl, stack.tenant.apiKey)
    const input = await generateJsonl(faultRows, tmp)
    log(`faults: ${faultRows} rows`)
    const run = await measuredBatch(stack, api, input, faultRows, {
      timeoutMs: 3 * 60 * 60 * 1000,
      progressEveryMs: 60_000,
    })
    const check = await api.verifyResults(run.batch_id, faultRows)
    const counts = run.counts
    const exactlyOnce =
      check.lines === faultRows && check.duplicates === 0 && check.missing === 0 && check.foreign === 0
    const countsAddUp =
      counts.completed + counts.failed === counts.total &&
      counts.total === faultRows &&
      (check.statuses.succeeded ?? 0) + (check.statuses.needs_review ?? 0) === counts.completed &&
      (check.statuses.failed ?? 0) === counts.failed
    log(
      `  ${run.status} in ${run.phases.total_ms} ms; ${check.lines} lines, ${check.duplicates} duplicated, ` +
        `${check.missing} missing; counts ${JSON.stringify(counts)}; errors ${JSON.stringify(check.errors)}`,
    )
    results.faults = {
      failures: FAULTS,
      ...run,
      check,
      exactly_once: exactlyOnce,
      counts_add_up: countsAddUp,
    }
    rmSync(input.path, { force: true })
  } finally {
    await stack.stop()
  }
}

const results = {
  started_at: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  cache,
  argv,
  machine: machine(),
}
const tmp = mkdtempSync(join(tmpdir(), 'iabulk-bench-'))
const t0 = Date.now()
try {
  if (only.includes('throughput')) await throughputSuite(results, tmp)
  if (only.includes('api')) await apiSuite(results)
  if (only.includes('latency')) await latencySuite(results, tmp)
  if (only.includes('faults')) await faultSuite(results, tmp)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
results.wall_s = Math.round((Date.now() - t0) / 1000)

const dir = join(root, 'bench/results')
mkdirSync(dir, { recursive: true })
const json = `${JSON.stringify(results, null, 2)}\n`
writeFileSync(join(dir, 'latest.json'), json)
writeFileSync(join(dir, `${results.started_at.replace(/[:.]/g, '-')}-${results.mode}.json`), json)
printTables(results)
if (flag('markdown')) console.log(`\n${markdownTables(results)}`)
log(`done in ${results.wall_s} s; wrote bench/results/latest.json`)
