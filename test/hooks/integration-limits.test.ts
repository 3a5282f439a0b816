// A tenant sets up at most its plan's `max_integrations`; the ones it has keep working.
import { describe, expect, it } from 'vitest'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createIntegration, uniqueSuffix } from './support'

// The free plan every sign-up starts on (migrations/0005_security.sql).
const FREE_MAX_INTEGRATIONS = 3

const slackTeam = () =>
  `T${uniqueSuffix()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20)

const generic = (name: string) => ({
  kind: 'generic',
  name,
  mapping: { task: 'seo_meta', fields: { title: '/name' } },
})

describe('integration limits', () => {
  it('refuses an integration past the plan’s limit with plan_limit_reached', async () => {
    const { accessToken } = await signUp()
    const made = [
      await createIntegration(accessToken, generic('PIM')),
      await createIntegration(accessToken, { kind: 'slack', team_id: slackTeam() }),
      await createIntegration(accessToken, {
        kind: 'shopify',
        shop_domain: `shop-${uniqueSuffix()}.myshopify.com`,
        app_secret: 'shpss_test_app_secret_limits_0123456789',
      }),
    ]
    expect(made).toHaveLength(FREE_MAX_INTEGRATIONS)
    const refused = await callJson('/v1/integrations', 409, {
      method: 'POST',
      token: accessToken,
      json: generic('One too many'),
    })
    expectErrorEnvelope(refused, 'plan_limit_reached')
    expect(refused.error.details).toEqual({ limit: 'max_integrations', max: FREE_MAX_INTEGRATIONS })
    expect((await callJson('/v1/integrations', 200, { token: accessToken })).data).toHaveLength(3)

    await callJson(`/v1/integrations/${made[0].id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { name: 'PIM (renamed)' },
    })
    await callJson(`/v1/integrations/${made[0].id}`, 200, { method: 'DELETE', token: accessToken })
    await createIntegration(accessToken, generic('Now it fits'))
  })
})
