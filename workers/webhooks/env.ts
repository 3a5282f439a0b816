// Settings the webhooks and hooks code reads beyond the generated `Env`: platform secrets set
// with `wrangler secret put` (absent until configured) and the local-testing flag.
export type WebhooksEnv = Env & {
  /** `true` lets endpoints use localhost / 127.0.0.1 / ::1; honoured only when APP_ENV is development. */
  WEBHOOKS_ALLOW_LOCALHOST?: string
  /** The signing secret of IA Bulk's own Stripe webhook endpoint (`whsec_…`). */
  STRIPE_WEBHOOK_SECRET?: string
  /** The signing secret of IA Bulk's Slack app. */
  SLACK_SIGNING_SECRET?: string
}
