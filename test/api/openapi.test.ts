import { describe, expect, it } from 'vitest'
import { createApp } from '../../workers/api/app'
import { call, callJson } from '../support/api'

const UNDOCUMENTED = new Set(['/openapi.json', '/docs'])

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route the app serves', async () => {
    const doc = await callJson('/openapi.json', 200)
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.title).toBe('IA Bulk')

    const served = createApp()
      .routes.filter((route) => route.method !== 'ALL' && !UNDOCUMENTED.has(route.path))
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods as object).map((method) => `${method} ${path}`),
    )
    expect(served.length).toBeGreaterThan(10)
    expect(new Set(documented)).toEqual(new Set(served))
  })

  it('marks /v1 operations as needing a bearer credential, and documents their errors', async () => {
    const doc = await callJson('/openapi.json', 200)
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    const keys = doc.paths['/v1/keys'].post
    expect(keys.security).toEqual([{ bearer: [] }])
    expect(Object.keys(keys.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '429']))
    expect(keys.responses['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error')
    expect(doc.paths['/v1/auth/token'].post.security).toBeUndefined()
  })

  it('renders a reference page at /docs from the document', async () => {
    const res = await call('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toContain('text/html')
    const html = await res.text()
    for (const path of ['/v1/keys', '/v1/members/{user_id}', '/v1/auth/token', '/healthz'])
      expect(html).toContain(path)
    expect(html).not.toContain('<script')
  })
})
