// Calls the Worker as a client would, and creates tenants, users and keys through the public API.
import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'

export const BASE = 'https://ia-bulk.test'

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

export type TestTenant = {
  tenantId: string
  accessToken: string
  refreshToken: string
  email: string
  password: string
}

export async function signUp(tenantName = 'Acme Marketing'): Promise<TestTenant> {
  const email = uniqueEmail('owner')
  const password = 'correct horse battery staple'
  const body = await callJson('/v1/auth/signup', 201, {
    method: 'POST',
    json: { tenant_name: tenantName, name: 'Owner', email, password },
  })
  return {
    tenantId: body.tenant_id,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    email,
    password,
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
