import { describe, expect, it } from 'vitest'
import { backoffSeconds } from '../../shared/pipeline/backoff'

describe('redelivery backoff', () => {
  it('grows exponentially with the delivery count, within ±50 % jitter', () => {
    expect(backoffSeconds(1, 0, () => 0.5)).toBe(1)
    expect(backoffSeconds(3, 0, () => 0.5)).toBe(4)
    expect(backoffSeconds(3, 0, () => 0)).toBe(2)
    expect(backoffSeconds(3, 0, () => 0.999)).toBe(6)
  })

  it('waits at least as long as the provider asked, and never more than a minute', () => {
    expect(backoffSeconds(1, 7_500, () => 0.5)).toBe(8)
    expect(backoffSeconds(12, 0, () => 0.9)).toBe(60)
    expect(backoffSeconds(1, 600_000, () => 0.5)).toBe(60)
  })
})
