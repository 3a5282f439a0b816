// Starts a private local stack for one benchmark run: `wrangler dev --local` on free ports with
// its own persistence directory under bench/.state, migrations applied, a pro-plan tenant with an
// admin API key, and the workerd process found so it can be sampled. Stops it again.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
const wranglerBin = join(root, 'node_modules/wrangler/bin/wrangler.js')
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' }

/** A free TCP port on localhost (the OS picks it; a race with another process is unlikely). */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer()
    server.unref()
    server.on('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })
}

function wrangler(args, persistTo) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args, '--local', '--persist-to', persistTo], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (result.status !== 0)
    throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

function d1(sql, persistTo) {
  return wrangler(['d1', 'execute', 'DB', '--command', sql], persistTo)
}

/** Child pids of `pid`, recursively, from /proc. */
function descendants(pid) {
  const children = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) children.push(Number(entry), ...descendants(Number(entry)))
    } catch {}
  }
  return children
}

function commandName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return ''
  }
}

/** TCP ports `pid` listens on, from its socket fds and /proc/net/tcp. */
function listeningPorts(pid) {
  const inodes = new Set()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1]
      if (inode) inodes.add(inode)
    } catch {}
  }
  const ports = []
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields[3] === '0A' && inodes.has(fields[9])) ports.push(Number.parseInt(fields[1].split(':')[1], 16))
  }
  return ports
}

/** The runtime's own HTTP socket (behind wrangler's dev proxy): the one that answers /healthz. */
async function runtimeUrl(pid) {
  for (const port of listeningPorts(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (res.ok && (await res.json()).status === 'ok') return `http://127.0.0.1:${port}`
    } catch {}
  }
  return null
}

async function api(baseUrl, path, { token, json, method } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: method ?? (json ? 'POST' : 'GET'),
    headers: {
      ...(token && { Authorization: `Bearer ${token}` }),
      ...(json && { 'Content-Type': 'application/json' }),
    },
    body: json && JSON.stringify(json),
  })
  const body = await res.json()
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`)
  return body
}

/**
 * Signs up a tenant through the API, creates an admin key, moves the tenant to `plan` and marks
 * its owner's email verified so it can run batches (direct D1 writes, as scripts/dev.mjs does).
 */
async function seedTenant(stack, plan) {
  const owner = await api(stack.baseUrl, '/v1/auth/signup', {
    json: {
      tenant_name: `Bench ${plan}`,
      name: 'Bench Owner',
      email: `bench+${randomBytes(4).toString('hex')}@iabulk.local`,
      password: randomBytes(12).toString('base64url'),
    },
  })
  const key = await api(stack.baseUrl, '/v1/keys', {
    token: owner.access_token,
    json: { name: 'bench', scopes: ['read', 'write', 'admin'] },
  })
  d1(
    `UPDATE tenants SET plan_id = '${plan}' WHERE id = '${owner.tenant_id}';
     UPDATE users SET email_verified_at = unixepoch() WHERE email_verified_at IS NULL
       AND id IN (SELECT user_id FROM memberships WHERE tenant_id = '${owner.tenant_id}' AND role = 'owner')`,
    stack.persistTo,
  )
  return { tenantId: owner.tenant_id, apiKey: key.key, plan }
}

/**
 * Starts a stack. `vars` are extra Worker variables (e.g. SIMULATED_LATENCY_MS). The stack's
 * output goes to `<persistTo>/wrangler.log`, which `stack.log()` reads back.
 */
export async function startStack({ name, vars = {} }) {
  const persistTo = join(root, 'bench/.state', name)
  rmSync(persistTo, { recursive: true, force: true })
  mkdirSync(persistTo, { recursive: true })
  const secret = (bytes) => randomBytes(bytes).toString('base64url')
  const envFile = join(persistTo, '.env')
  writeFileSync(
    envFile,
    [
      `JWT_SECRET=${secret(48)}`,
      `ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
      ...Object.entries(vars).map(([key, value]) => `${key}=${value}`),
      '',
    ].join('\n'),
  )

  wrangler(['d1', 'migrations', 'apply', 'DB'], persistTo)
  // A plan for the API-latency tenant: pro's concurrency, request limits high enough that a load
  // test measures the rate limiter's cost (it still runs on every request) rather than its refusals.
  d1(
    `INSERT INTO plans (id, name, tenant_requests_per_window, key_requests_per_window, window_seconds, max_concurrent_batches, monthly_task_quota, max_concurrent_tasks)
     VALUES ('bench-api', 'Bench API load', 1000000000, 1000000000, 60, 20, 5000000, 2000)`,
    persistTo,
  )
  // Pro allows 5M tasks a month; in the bench's own D1 it allows more, so a 10M batch is admitted.
  d1("UPDATE plans SET monthly_task_quota = 1000000000 WHERE id = 'pro'", persistTo)

  const port = await freePort()
  const inspectorPort = await freePort()
  const logPath = join(persistTo, 'wrangler.log')
  const log = createWriteStream(logPath)
  const args = [
    wranglerBin,
    'dev',
    '--local',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persistTo,
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ]
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(log, { end: false })
  child.stderr.pipe(log, { end: false })
  const exited = new Promise((done) => child.on('exit', done))

  const baseUrl = `http://127.0.0.1:${port}`
  const stack = {
    name,
    baseUrl,
    persistTo,
    logPath,
    wranglerPid: child.pid,
    inspectorPort,
    workerdPid: null,
    log: () => readFileSync(logPath, 'utf8'),
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
      log.end()
    },
  }
  let healthy = false
  for (let attempt = 0; attempt < 480 && !healthy; attempt++) {
    if (child.exitCode !== null) break
    try {
      healthy = (await fetch(`${baseUrl}/healthz`)).ok
    } catch {}
    if (!healthy) await new Promise((done) => setTimeout(done, 250))
  }
  if (!healthy) {
    await stack.stop()
    throw new Error(`The stack did not come up on ${baseUrl}; see ${logPath}\n${stack.log().slice(-3000)}`)
  }
  // wrangler runs two workerd processes: a proxy that owns our port, and the runtime that runs the
  // Worker, its Durable Objects and the local D1/R2/Queues simulators. The runtime is the one
  // whose entry socket is not our port. The node process that drives them is wrangler's cli.js.
  const tree = descendants(child.pid)
  const cmdline = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    } catch {
      return ''
    }
  }
  const workerds = tree.filter((pid) => commandName(pid) === 'workerd')
  stack.workerdPid = workerds.find((pid) => !cmdline(pid).includes(`entry=127.0.0.1:${port}`)) ?? null
  stack.proxyPid = workerds.find((pid) => cmdline(pid).includes(`entry=127.0.0.1:${port}`)) ?? null
  stack.wranglerPid =
    tree.find((pid) => commandName(pid) === 'node' && cmdline(pid).includes('cli.js')) ?? child.pid
  stack.runtimeUrl = stack.workerdPid ? await runtimeUrl(stack.workerdPid) : null
  stack.tenant = await seedTenant(stack, 'pro')
  stack.seedTenant = (plan) => seedTenant(stack, plan)
  return stack
}
