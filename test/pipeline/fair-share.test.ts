import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const plan = { maxConcurrentBatches: 5, monthlyTaskQuota: 1_000_000, maxConcurrentTasks: 1000 }

describe('tenant coordinator fair share', () => {
  it('splits the tenant’s concurrency evenly between running batches, at once for a new batch', async () => {
    const tenant = env.TENANTS.get(env.TENANTS.idFromName(`ten_fair_${Date.now()}`))
    await tenant.admitBatch({ batchId: 'huge', tasks: 900_000, ...plan })
    expect(await tenant.shareFor('huge')).toBe(1000)
    await tenant.admitBatch({ batchId: 'small', tasks: 100, ...plan })
    expect(await tenant.shareFor('huge')).toBe(500)
    expect(await tenant.shareFor('small')).toBe(500)
    await tenant.releaseBatch('huge')
    expect(await tenant.shareFor('small')).toBe(1000)
    expect(await tenant.monthlyUsage()).toBe(900_100)
  })
})
