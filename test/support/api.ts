// Calls the Worker as a client would, and creates tenants, users and keys through the public API.
import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import { lastMailTo, mailbox, tokenIn } from './mail'

export const BASE = 'https://ia-bulk.test'

// Sign-up mails the owner a verification token; signUp follows it as the owner would.
mailbox()

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
export type Body = any

type Call = Omit<RequestInit, 'body'> & { token?: string; json?: unknown; body?: BodyInit }

export async function call(path: string, { token, json, headers, ...init }: Call = {}): Promise<Response> {
  const merged = new Headers(headers)
  if (token) merged.set('Authorization', `Bearer ${token}`)
  if (json !== undefined) merged.set('Content-Type', 'application/json')
  return exports.default.fetch(
    new Request(`${BASE}${path}`, {
      ...init,
      headers: merged,
      body: json === undefined ? init.body : JSON.stringify(json),
    }),
  )
}

/** Calls and asserts the status, returning the parsed JSON body. */
export async function callJson<T = Body>(path: string, status: number, init: Call = {}): Promise<T> {
  const res = await call(path, init)
  const text = await res.text()
  expect(res.status, `${init.method ?? 'GET'} ${path}: ${text}`).toBe(status)
  return (text ? JSON.parse(text) : null) as T
}

let counter = 0
export function uniqueEmail(label = 'user') {
  return `${label}-${Date.now()}-${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
}

/** A client address of its own (IPv6 documentation range), so tests do not share throttles. */
export function uniqueIp() {
  return `2001:db8::${(++counter).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`
}

export type TestTenant = {
  tenantId: string
  accessToken: string
  refreshToken: string
  email: string
  password: string
  /** The CF-Connecting-IP the tenant signed up from. */
  ip: string
}

/**
 * Signs up a tenant from an address of its own and, unless `verified: false`, verifies the
 * owner's email with the mailed token, so the tenant can run batches.
 */
export async function signUp(
  tenantName = 'Acme Marketing',
  { verified = true }: { verified?: boolean } = {},
): Promise<TestTenant> {
  const email = uniqueEmail('owner')
  const password = 'correct horse battery staple'
  const ip = uniqueIp()
  const headers = { 'CF-Connecting-IP': ip }
  const body = await callJson('/v1/auth/signup', 201, {
    method: 'POST',
    headers,
    json: { tenant_name: tenantName, name: 'Owner', email, password },
  })
  if (verified) {
    const token = tokenIn(lastMailTo(email))
    await callJson('/v1/auth/verify-email', 200, { method: 'POST', headers, json: { token } })
  }
  return {
    tenantId: body.tenant_id,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    email,
    password,
    ip,
  }
}

export async function createKey(
  token: string,
  scopes: string[] = ['read', 'write'],
  extra: Record<string, unknown> = {},
) {
  const body = await callJson('/v1/keys', 201, {
    method: 'POST',
    token,
    json: { name: 'test key', scopes, ...extra },
  })
  return { id: body.id as string, key: body.key as string }
}

/** Invites `email` as the admin behind `token`: the invitation, and the token mailed to the address. */
export async function invite(token: string, email: string, role: string) {
  const invitation = await callJson('/v1/invitations', 201, { method: 'POST', token, json: { email, role } })
  return { invitation, token: tokenIn(lastMailTo(email)) }
}

/** Accepts an invitation from an address of its own, as the invitee would; answers the response. */
export function acceptInvitation(
  json: { token: string; email: string; password?: string; name?: string },
  { bearer }: { bearer?: string } = {},
): Promise<Response> {
  return call('/v1/invitations/accept', {
    method: 'POST',
    json,
    headers: { 'CF-Connecting-IP': uniqueIp() },
    ...(bearer && { token: bearer }),
  })
}

export type TestMember = {
  userId: string
  email: string
  password: string
  accessToken: string
  refreshToken: string
}

/**
 * A new account with `role` in the tenant, the way people join: invited by the admin behind
 * `adminToken`, accepted with the mailed token and a password the invitee chose.
 */
export async function addMember(adminToken: string, role: string): Promise<TestMember> {
  const email = uniqueEmail(role)
  const password = 'a long enough password'
  const { token } = await invite(adminToken, email, role)
  const res = await acceptInvitation({ token, email, password, name: role })
  const tokens = await res.json<Body>()
  expect(res.status, JSON.stringify(tokens)).toBe(200)
  const me = await callJson('/v1/me', 200, { token: tokens.access_token })
  return {
    userId: me.user.id,
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  }
}

export function expectErrorEnvelope(body: Body, code: string) {
  expect(body.error.code).toBe(code)
  expect(typeof body.error.message).toBe('string')
  expect(body.error.request_id).toMatch(/\S/)
}

export type TestPlan = {
  id: string
  tenantRequests: number
  keyRequests: number
  windowSeconds: number
  concurrentBatches: number
  monthlyTasks: number
  concurrentTasks: number
}

/** Creates the plan (once) in D1 and moves the tenant to it, as an operator would. */
export async function putOnPlan(tenantId: string, plan: TestPlan) {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO plans (id, name, tenant_requests_per_window, key_requests_per_window, window_seconds,
       max_concurrent_batches, monthly_task_quota, max_concurrent_tasks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      plan.id,
      plan.id,
      plan.tenantRequests,
      plan.keyRequests,
      plan.windowSeconds,
      plan.concurrentBatches,
      plan.monthlyTasks,
      plan.concurrentTasks,
    )
    .run()
  await env.DB.prepare('UPDATE tenants SET plan_id = ? WHERE id = ?').bind(plan.id, tenantId).run()
}
