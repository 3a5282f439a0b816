import { describe, expect, it } from 'vitest'
import { callJson, putOnPlan, signUp } from '../support/api'
import { createBatch, expectEachExactlyOnce, items, resultLines, waitForStatus } from '../support/batches'

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)

describe('cost, usage and the response cache in batches', () => {
  it('sums each task’s cost into the batch and the tenant’s monthly usage', async () => {
    const owner = await signUp()
    const created = await createBatch(owner.accessToken, { task: 'seo_meta', items: items(40) })
    const done = await waitForStatus(owner.accessToken, created.id)
    const lines = await resultLines(owner.accessToken, created.id)
    expectEachExactlyOnce(
      done,
      lines,
      items(40).map((item) => item.custom_id),
    )
    expect(lines.every((line) => line.cost_usd > 0 && line.provider === 'simulated')).toBe(true)
    expect(done.cost_usd).toBeCloseTo(sum(lines.map((line) => line.cost_usd)), 12)
    expect(done.usage.input_tokens).toBe(sum(lines.map((line) => line.usage.input_tokens)))

    const usage = await callJson('/v1/usage', 200, { token: owner.accessToken })
    expect(usage.data).toHaveLength(1)
    expect(usage.data[0]).toMatchObject({ tasks: 40, input_tokens: done.usage.input_tokens, cache_hits: 0 })
    expect(usage.data[0].cost_usd).toBeCloseTo(done.cost_usd, 12)
  })

  it('answers repeated requests from the tenant’s cache when a batch opts in, and counts the hits', async () => {
    const owner = await signUp()
    const rows = items(30)
    const first = await createBatch(owner.accessToken, { task: 'seo_meta', items: rows, cache: true })
    const firstDone = await waitForStatus(owner.accessToken, first.id)
    expect(firstDone.cache_hits).toBe(0)

    const again = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: rows.map((row) => ({ ...row, custom_id: `again-${row.custom_id}` })),
      cache: true,
    })
    const againDone = await waitForStatus(owner.accessToken, again.id)
    expect(againDone.cache_hits).toBe(30)
    expect(againDone.cost_usd).toBe(0)
    const lines = await resultLines(owner.accessToken, again.id)
    expect(lines.every((line) => line.cached === true && line.cost_usd === 0)).toBe(true)
    const firstLines = await resultLines(owner.accessToken, first.id)
    expect(lines.map((line) => line.output)).toEqual(firstLines.map((line) => line.output))

    // Batches do not use the cache unless they ask for it.
    const fresh = await createBatch(owner.accessToken, { task: 'seo_meta', items: rows })
    const freshDone = await waitForStatus(owner.accessToken, fresh.id)
    expect(freshDone.cache_hits).toBe(0)
    expect(freshDone.cost_usd).toBeGreaterThan(0)
  })

  it('runs identical rows of one batch once and counts the copies as cache hits', async () => {
    const owner = await signUp()
    // Ten rows travel in one chunk; copies across concurrently running chunks may both miss.
    const duplicates = Array.from({ length: 10 }, (_, i) => ({
      custom_id: `dup-${i}`,
      input: { title: i % 2 ? 'Same shoe' : 'Same boot' },
    }))
    const created = await createBatch(owner.accessToken, { task: 'seo_meta', items: duplicates, cache: true })
    const done = await waitForStatus(owner.accessToken, created.id)
    expect(done.cache_hits).toBe(8)
    expect(done.request_counts.completed).toBe(10)
  })

  it('keeps other tenants out of the cache', async () => {
    const first = await signUp()
    const second = await signUp()
    const rows = items(5, 'shared')
    await waitForStatus(
      first.accessToken,
      (await createBatch(first.accessToken, { task: 'seo_meta', items: rows, cache: true })).id,
    )
    const other = await createBatch(second.accessToken, { task: 'seo_meta', items: rows, cache: true })
    expect((await waitForStatus(second.accessToken, other.id)).cache_hits).toBe(0)
  })

  it('counts realtime calls against the monthly task quota', async () => {
    const owner = await signUp()
    await putOnPlan(owner.tenantId, {
      id: 'two-tasks',
      tenantRequests: 1000,
      keyRequests: 1000,
      windowSeconds: 60,
      concurrentBatches: 1,
      monthlyTasks: 2,
      concurrentTasks: 20,
    })
    const generate = (status: number) =>
      callJson('/v1/generate', status, {
        method: 'POST',
        token: owner.accessToken,
        json: { task: 'seo_meta', input: { title: 'Socks' }, cache: false },
      })
    await generate(200)
    await generate(200)
    expect((await generate(429)).error.code).toBe('monthly_quota_exceeded')
  })
})
