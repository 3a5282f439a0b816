// A small in-memory cache with a time to live and a size bound. On Workers it lives per isolate:
// keep in it only values that may be stale for the TTL, or whose staleness is checked elsewhere.

export type TtlCacheOptions = { ttlMs: number; maxEntries: number }

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>()
  private readonly ttlMs: number
  private readonly maxEntries: number

  constructor({ ttlMs, maxEntries }: TtlCacheOptions) {
    this.ttlMs = ttlMs
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.entries.size
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.until > now) return entry.value
    this.entries.delete(key)
    return undefined
  }

  set(key: string, value: V, now = Date.now()): void {
    this.entries.delete(key)
    // A Map iterates in insertion order: its first key is the oldest entry.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(key, { value, until: now + this.ttlMs })
  }

  delete(key: string): void {
    this.entries.delete(key)
  }
}
