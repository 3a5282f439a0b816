import { describe, expect, it } from 'vitest'
import { parseRetryAfter, statusError } from '../../../workers/ai/providers/http-errors'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T12:00:00Z')

  it('prefers retry-after-ms, then reads seconds or an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250)
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000)
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), now)).toBe(500)
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Fri, 01 May 2026 12:00:30 GMT' }), now)).toBe(30_000)
  })

  it('ignores absent or unreadable values and never goes negative', () => {
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Fri, 01 May 2026 11:00:00 GMT' }), now)).toBe(0)
  })
})

describe('statusError', () => {
  it.each([
    [429, 'rate_limited', true],
    [408, 'timeout', true],
    [500, 'provider_unavailable', true],
    [502, 'provider_unavailable', true],
    [503, 'provider_unavailable', true],
    [504, 'provider_unavailable', true],
    [529, 'provider_unavailable', true],
    [401, 'provider_auth', false],
    [403, 'provider_auth', false],
    [400, 'invalid_request', false],
    [404, 'invalid_request', false],
    [422, 'invalid_request', false],
  ])('maps %i to %s (retryable: %s)', (status, code, retryable) => {
    expect(statusError(status, 'x', 1000)).toMatchObject({ code, retryable, status })
  })
})
