// `POST /hooks/slack`: the IA Bulk Slack app's slash command, `/iabulk status <batch_id>`,
// answered for the tenant linked to the Slack team (a `slack` integration). Slack signs with
// `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` keyed by the app's signing
// secret, and `X-Slack-Request-Timestamp` must be within 5 minutes. The command's trigger_id and
// the body's digest deduplicate, so a captured request cannot be replayed to read a batch's status.
import type { Context } from 'hono'
import { concatBytes } from '../../shared/bytes'
import { timingSafeEqual } from '../../shared/crypto'
import { db } from '../../shared/db/client'
import { AppError } from '../../shared/errors'
import { loadBatch } from '../batches/load-batch'
import { hmacSha256, toHex, utf8 } from '../webhooks/hmac'
import { TIMESTAMP_TOLERANCE_SECONDS, type VerifyOutcome } from '../webhooks/standard-signature'
import { notConfigured, readRawBody, rejectHook } from './hook-request'
import { findSlackTeam } from './integration-store'
import { firstReceipt } from './receipts'

export async function verifySlackSignature(options: {
  secret: string
  timestamp: string | null
  signature: string | null
  body: Uint8Array
  nowSeconds: number
}): Promise<VerifyOutcome> {
  const { timestamp, signature } = options
  if (!timestamp || !signature) return { ok: false, reason: 'missing_signature' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid_signature' }
  if (Math.abs(options.nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return { ok: false, reason: 'stale_timestamp' }
  const signed = concatBytes([utf8(`v0:${timestamp}:`), options.body])
  const expected = `v0=${toHex(await hmacSha256(utf8(options.secret), signed))}`
  return timingSafeEqual(signature, expected) ? { ok: true } : { ok: false, reason: 'invalid_signature' }
}

export type SlackAnswer = { response_type: 'ephemeral'; text: string }

const answer = (text: string): SlackAnswer => ({ response_type: 'ephemeral', text })

const USAGE = 'Usage: `/iabulk status <batch_id>` tells where a batch is.'

async function batchStatus(env: Env, tenantId: string, batchId: string): Promise<string> {
  try {
    const batch = await loadBatch(env, tenantId, batchId)
    const { total, completed, failed } = batch.request_counts
    return `Batch \`${batch.id}\` (${batch.task}) is *${batch.status}*: ${completed} of ${total} tasks done, ${failed} failed.`
  } catch (error) {
    if (error instanceof AppError && error.status === 404)
      return `There is no batch \`${batchId}\` in this workspace's IA Bulk account.`
    throw error
  }
}

export async function receiveSlack(c: Context): Promise<SlackAnswer> {
  const env: Env = c.env
  if (!env.SLACK_SIGNING_SECRET) throw notConfigured('slack', 'SLACK_SIGNING_SECRET')
  const body = await readRawBody(c)
  const verdict = await verifySlackSignature({
    secret: env.SLACK_SIGNING_SECRET,
    timestamp: c.req.header('X-Slack-Request-Timestamp') ?? null,
    signature: c.req.header('X-Slack-Signature') ?? null,
    body,
    nowSeconds: Math.floor(Date.now() / 1000),
  })
  if (!verdict.ok) return rejectHook(c, { source: 'slack', reason: verdict.reason })

  const form = new URLSearchParams(new TextDecoder().decode(body))
  const database = db(env.DB)
  const team = await findSlackTeam(database, form.get('team_id') ?? '')
  if (!team) return answer('This Slack workspace is not linked to an IA Bulk account yet.')
  const receipt = { tenantId: team.tenantId, source: 'slack', deliveryId: form.get('trigger_id'), body }
  if (!(await firstReceipt(database, receipt))) return answer('This command was already answered.')

  const [verb, batchId] = (form.get('text') ?? '').trim().split(/\s+/)
  if (verb !== 'status' || !batchId) return answer(USAGE)
  return answer(await batchStatus(env, team.tenantId, batchId))
}
