import { describe, expect, it } from 'vitest'
import { type Body, call, callJson, expectErrorEnvelope, signUp } from '../support/api'

describe('error envelope', () => {
  it('answers an unknown route with a 404 envelope and a request id', async () => {
    const res = await call('/nowhere')
    expect(res.status).toBe(404)
    const body = await res.json<{ error: { request_id: string } }>()
    expectErrorEnvelope(body, 'not_found')
    expect(res.headers.get('X-Request-Id')).toBe(body.error.request_id)
  })

  it('echoes a well-formed incoming X-Request-Id', async () => {
    const res = await call('/healthz', { headers: { 'X-Request-Id': 'trace-abc.123' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('X-Request-Id')).toBe('trace-abc.123')
  })

  it('refuses a body over the limit with 413 naming the limit', async () => {
    const res = await call('/v1/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1_100_000) }),
    })
    expect(res.status).toBe(413)
    const body = await res.json<Body>()
    expectErrorEnvelope(body, 'payload_too_large')
    expect(body.error.message).toContain('1048576')
  })

  it('lists each invalid field of a bad body in details', async () => {
    const body = await callJson('/v1/auth/signup', 400, {
      method: 'POST',
      json: { tenant_name: '', name: 'x', email: 'not-an-email', password: 'short' },
    })
    expectErrorEnvelope(body, 'validation_failed')
    const paths = body.error.details.map((d: { path: string }) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['tenant_name', 'email', 'password']))
  })

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await call('/v1/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email":',
    })
    expect(res.status).toBe(400)
    const body = await res.json<Body>()
    expectErrorEnvelope(body, 'bad_request')
    expect(body.error.message).toMatch(/JSON/)
  })

  it('puts the envelope and request id on authenticated-route failures too', async () => {
    const { accessToken } = await signUp()
    const body = await callJson('/v1/keys/key_missing', 404, { method: 'DELETE', token: accessToken })
    expectErrorEnvelope(body, 'not_found')
  })

  it('sets secure headers', async () => {
    const res = await call('/healthz')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(res.headers.get('Strict-Transport-Security')).toMatch(/max-age/)
  })
})
