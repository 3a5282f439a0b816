// The generic hook: any sender signing the Standard Webhooks way with the integration's secret;
// the JSON payload becomes one task through the tenant's field mapping.
import { describe, expect, it } from 'vitest'
import { type Body, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { resultLines, waitForStatus } from '../support/batches'
import {
  createIntegration,
  nowSeconds,
  postHook,
  standardHeaders,
  uniqueSuffix,
  waitForBatches,
} from './support'

const MAPPING = {
  task: 'product_description',
  params: { tone: 'formal' },
  fields: { title: '/product/name', features: 'product.tags' },
  custom_id: '/product/sku',
}

async function setup() {
  const owner = await signUp()
  const integration = await createIntegration(owner.accessToken, {
    kind: 'generic',
    name: 'PIM',
    mapping: MAPPING,
  })
  const send = (
    body: string,
    headers = standardHeaders(integration.secret, `msg_${uniqueSuffix()}`, nowSeconds(), body),
  ) => postHook(`/hooks/generic/${integration.id}`, body, { 'Content-Type': 'application/json', ...headers })
  return { ...owner, integration, send }
}

const PAYLOAD = JSON.stringify({
  event: 'product.saved',
  product: { name: 'Nimbus Lamp', tags: ['warm', 'dimmable'], sku: 'LAMP-1' },
})

describe('generic hook', () => {
  it('maps a signed payload to a task by the mapping, and runs it', async () => {
    const { accessToken, integration, send } = await setup()
    expect(integration.secret).toMatch(/^whsec_/)
    expect(integration.hook_url).toMatch(new RegExp(`/hooks/generic/${integration.id}$`))
    const fetched = await callJson(`/v1/integrations/${integration.id}`, 200, { token: accessToken })
    expect(fetched).not.toHaveProperty('secret')

    expect(await (await send(PAYLOAD)).json()).toEqual({ received: true, duplicate: false })
    const [batch] = await waitForBatches(accessToken, 1)
    expect(batch).toMatchObject({
      task: 'product_description',
      params: { tone: 'formal' },
      metadata: { source: 'generic' },
    })
    await waitForStatus(accessToken, batch.id)
    const [line] = await resultLines(accessToken, batch.id)
    expect(line).toMatchObject({ custom_id: 'LAMP-1', status: 'succeeded' })
    expect(JSON.stringify(line.output)).toContain('Nimbus Lamp')
  })

  it('refuses tampered, stale and unsigned requests with 401 and an audit line; a replay is a duplicate', async () => {
    const { accessToken, integration, send } = await setup()
    const headers = standardHeaders(integration.secret, 'msg_fixed', nowSeconds(), PAYLOAD)
    const tampered = await send(PAYLOAD.replace('Nimbus', 'Cirrus'), headers)
    expect(tampered.status).toBe(401)
    expectErrorEnvelope(await tampered.json(), 'invalid_signature')
    const stale = await send(
      PAYLOAD,
      standardHeaders(integration.secret, 'msg_old', nowSeconds() - 301, PAYLOAD),
    )
    expectErrorEnvelope(await stale.json(), 'stale_timestamp')
    const unsigned = await send(PAYLOAD, {} as ReturnType<typeof standardHeaders>)
    expectErrorEnvelope(await unsigned.json(), 'missing_signature')
    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    expect(audit.data.filter((entry: Body) => entry.action === 'hook.rejected')).toHaveLength(3)

    expect(await (await send(PAYLOAD, headers)).json()).toEqual({ received: true, duplicate: false })
    expect(await (await send(PAYLOAD, headers)).json()).toEqual({ received: true, duplicate: true })
  })

  it('answers 422 naming the mapped fields a payload lacks', async () => {
    const { send } = await setup()
    const res = await send(JSON.stringify({ product: { sku: 'X' } }))
    expect(res.status).toBe(422)
    const body = await res.json<Body>()
    expectErrorEnvelope(body, 'mapping_failed')
    expect(body.error.details.missing).toEqual(['title ← /product/name', 'features ← product.tags'])
  })

  it('refuses a mapping to fields the task does not take, or an unknown task', async () => {
    const { accessToken } = await signUp()
    const json = (mapping: Record<string, unknown>) => ({ kind: 'generic', name: 'PIM', mapping })
    const badField = await callJson('/v1/integrations', 400, {
      method: 'POST',
      token: accessToken,
      json: json({ ...MAPPING, fields: { headline: '/x' } }),
    })
    expectErrorEnvelope(badField, 'validation_failed')
    const badTask = await callJson('/v1/integrations', 400, {
      method: 'POST',
      token: accessToken,
      json: json({ ...MAPPING, task: 'poetry' }),
    })
    expectErrorEnvelope(badTask, 'unknown_task')
  })
})
