// `npm start`: the whole application on workerd at http://localhost:8787 (PORT overrides), with
// no Cloudflare account and no network. Creates .dev.vars with fresh secrets when missing,
// applies local D1 migrations, starts `wrangler dev --local`, and on first run seeds a dev tenant
// (owner + API key) through the public API, saving it to .iabulk/dev.json for later starts.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const port = Number(process.env.PORT ?? 8787)
const baseUrl = `http://localhost:${port}`
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' }
const devFile = '.iabulk/dev.json'

function ensureDevVars() {
  if (existsSync('.dev.vars')) return
  const secret = (bytes) => randomBytes(bytes).toString('base64url')
  writeFileSync(
    '.dev.vars',
    [
      `JWT_SECRET=${secret(48)}`,
      `ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
      'OPENAI_API_KEY=',
      'OPENAI_BASE_URL=',
      'ANTHROPIC_API_KEY=',
      '',
    ].join('\n'),
  )
  console.log('Created .dev.vars with fresh secrets.')
}

function wrangler(args, { quiet = false } = {}) {
  const result = spawnSync('wrangler', args, { stdio: quiet ? 'pipe' : 'inherit', env, encoding: 'utf8' })
  if (result.status === 0) return
  if (quiet) process.stderr.write(`${result.stdout}${result.stderr}`)
  process.exit(result.status ?? 1)
}

async function waitForHealth() {
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`The local stack did not answer on ${baseUrl}/healthz within 60 s.`)
}

async function api(path, { token, json } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: json ? 'POST' : 'GET',
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

async function savedDevTenant() {
  if (!existsSync(devFile)) return null
  const saved = JSON.parse(readFileSync(devFile, 'utf8'))
  const res = await fetch(`${baseUrl}/v1/me`, { headers: { Authorization: `Bearer ${saved.api_key}` } })
  return res.ok ? { ...saved, base_url: baseUrl } : null
}

/** Marks the tenant's owner verified, as following the mailed link would. */
const verifyOwnerSql = (tenantId) =>
  `UPDATE users SET email_verified_at = unixepoch() WHERE email_verified_at IS NULL AND id IN (SELECT user_id FROM memberships WHERE tenant_id = '${tenantId}' AND role = 'owner')`

async function seedDevTenant() {
  const email = `dev+${randomBytes(4).toString('hex')}@iabulk.local`
  const password = randomBytes(12).toString('base64url')
  const owner = await api('/v1/auth/signup', {
    json: { tenant_name: 'Dev Tenant', name: 'Dev Owner', email, password },
  })
  const key = await api('/v1/keys', {
    token: owner.access_token,
    json: { name: 'dev', scopes: ['read', 'write', 'admin'] },
  })
  // The dev tenant gets the pro plan, so trying things out does not run into free-plan limits,
  // and its owner counts as verified (the mailed token went to the log), so it can run batches.
  wrangler(
    [
      'd1',
      'execute',
      'DB',
      '--local',
      '--command',
      `UPDATE tenants SET plan_id = 'pro' WHERE id = '${owner.tenant_id}'; ${verifyOwnerSql(owner.tenant_id)}`,
    ],
    {
      quiet: true,
    },
  )
  // Kept in .iabulk/dev.json (git-ignored, this machine's local stack only) so every start shows it.
  return { base_url: baseUrl, api_key: key.key, tenant_id: owner.tenant_id, email, password }
}

ensureDevVars()
wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true })
const dev = spawn(
  'wrangler',
  ['dev', '--local', '--port', String(port), '--show-interactive-dev-session=false'],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  },
)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal))
// wrangler's start-up lines (its banner, bindings, warnings) are held back and kept in a log, so
// the output leads with what a person needs; they are printed if the stack does not come up.
// Once it is up, wrangler's lines (request logs, errors) pass through as they come.
const startLog = '.iabulk/wrangler-start.log'
const startup = []
let started = false
for (const [from, to] of [
  [dev.stdout, process.stdout],
  [dev.stderr, process.stderr],
])
  from.on('data', (chunk) => (started ? to.write(chunk) : startup.push(chunk)))
dev.on('exit', (code) => {
  if (!started) process.stderr.write(Buffer.concat(startup))
  process.exit(code ?? 0)
})

try {
  await waitForHealth()
} catch (error) {
  process.stderr.write(Buffer.concat(startup))
  throw error
}
const tenant = (await savedDevTenant()) ?? (await seedDevTenant())
mkdirSync('.iabulk', { recursive: true })
writeFileSync(devFile, `${JSON.stringify(tenant, null, 2)}\n`)
writeFileSync(startLog, Buffer.concat(startup))
console.log(`
IA Bulk is running on workerd.
  Base URL:  ${tenant.base_url}
  API key:   ${tenant.api_key}
  Tenant:    ${tenant.tenant_id}
  Sign in:   ${tenant.email ?? '(seeded before sign-ins were kept; delete .iabulk/dev.json for a new tenant)'}${tenant.password ? ` / ${tenant.password}` : ''}
  Docs:      ${tenant.base_url}/docs

Try it:
  curl -s ${tenant.base_url}/v1/me -H "Authorization: Bearer ${tenant.api_key}"

wrangler's start-up output is in ${startLog}; its request log follows.
`)
started = true
