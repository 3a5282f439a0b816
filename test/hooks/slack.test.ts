// The Slack hook: `/iabulk status <batch_id>` answers for the tenant linked to the Slack team
// and no other; stale, tampered and replayed requests are refused.
import { describe, expect, it } from 'vitest'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, items } from '../support/batches'
import { createIntegration, nowSeconds, postHook, slackSignature, uniqueSuffix } from './support'

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'

function command(teamId: string, text: string, triggerId = `trg.${uniqueSuffix()}`) {
  return new URLSearchParams({
    token: 'deprecated',
    team_id: teamId,
    command: '/iabulk',
    text,
    trigger_id: triggerId,
    response_url: 'https://hooks.slack.com/commands/T0/1/x',
  }).toString()
}

function send(body: string, timestamp = nowSeconds(), signature = slackSignature(SECRET, timestamp, body)) {
  return postHook('/hooks/slack', body, {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': signature,
  })
}

async function linkedTenant() {
  const owner = await signUp()
  const teamId = `T${uniqueSuffix()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20)
  const integration = await createIntegration(owner.accessToken, { kind: 'slack', team_id: teamId })
  return { ...owner, teamId, integration }
}

describe('Slack hook', () => {
  it("answers /iabulk status with the batch's status, for the linked tenant only", async () => {
    const { accessToken, teamId, integration } = await linkedTenant()
    expect(integration.hook_url).toMatch(/\/hooks\/slack$/)
    const batch = await createBatch(accessToken, { task: 'seo_meta', items: items(2) })
    const res = await send(command(teamId, `status ${batch.id}`))
    expect(res.status).toBe(200)
    const answer = await res.json<{ response_type: string; text: string }>()
    expect(answer.response_type).toBe('ephemeral')
    expect(answer.text).toContain(batch.id)
    expect(answer.text).toMatch(/is \*(validating|in_progress|completed)\*/)

    const other = await signUp('Other Co')
    const theirs = await createBatch(other.accessToken, { task: 'seo_meta', items: items(1) })
    const foreign = await (await send(command(teamId, `status ${theirs.id}`))).json<{ text: string }>()
    expect(foreign.text).toContain(`There is no batch \`${theirs.id}\``)
    const usage = await (await send(command(teamId, 'hello'))).json<{ text: string }>()
    expect(usage.text).toContain('Usage')
  })

  it('refuses a stale timestamp and a tampered body with 401, and a replayed trigger_id', async () => {
    const { teamId, accessToken } = await linkedTenant()
    const batch = await createBatch(accessToken, { task: 'seo_meta', items: items(1) })
    const body = command(teamId, `status ${batch.id}`)
    const stale = await send(body, nowSeconds() - 301)
    expect(stale.status).toBe(401)
    expectErrorEnvelope(await stale.json(), 'stale_timestamp')
    const timestamp = nowSeconds()
    const tampered = await send(
      body.replace('status', 'statuz'),
      timestamp,
      slackSignature(SECRET, timestamp, body),
    )
    expectErrorEnvelope(await tampered.json(), 'invalid_signature')

    const first = await (await send(body)).json<{ text: string }>()
    expect(first.text).toContain(batch.id)
    const replay = await (await send(body)).json<{ text: string }>()
    expect(replay.text).toBe('This command was already answered.')
  })

  it('tells an unlinked workspace, and refuses to link a team twice', async () => {
    const answer = await (await send(command('TUNLINKED0', 'status bat_x'))).json<{ text: string }>()
    expect(answer.text).toContain('not linked')
    const { teamId } = await linkedTenant()
    const other = await signUp('Other Co')
    await callJson('/v1/integrations', 409, {
      method: 'POST',
      token: other.accessToken,
      json: { kind: 'slack', team_id: teamId },
    })
  })
})
