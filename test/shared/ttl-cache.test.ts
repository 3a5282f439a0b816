import { describe, expect, it } from 'vitest'
import { TtlCache } from '../../shared/ttl-cache'

describe('TtlCache', () => {
  it('answers a value until its TTL passes, then forgets it', () => {
    const cache = new TtlCache<string>({ ttlMs: 1000, maxEntries: 10 })
    cache.set('a', 'one', 0)
    expect(cache.get('a', 999)).toBe('one')
    expect(cache.get('a', 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('evicts the oldest entry when full, counting a re-set entry as new', () => {
    const cache = new TtlCache<number>({ ttlMs: 1000, maxEntries: 2 })
    cache.set('a', 1, 0)
    cache.set('b', 2, 0)
    cache.set('a', 3, 0)
    cache.set('c', 4, 0)
    expect(cache.size).toBe(2)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(cache.get('a', 0)).toBe(3)
    expect(cache.get('c', 0)).toBe(4)
  })

  it('forgets a deleted entry', () => {
    const cache = new TtlCache<number>({ ttlMs: 1000, maxEntries: 2 })
    cache.set('a', 1, 0)
    cache.delete('a')
    expect(cache.get('a', 0)).toBeUndefined()
  })
})
