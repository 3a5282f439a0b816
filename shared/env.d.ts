// What the Worker reads beyond what `wrangler types` sees in wrangler.toml: optional secrets
// (`wrangler secret put`), optional bindings and local-testing variables (`--var`), each absent
// until configured. Declared once here and merged into the generated `Env`, so every part of the
// code reads one `Env` (narrowed with `Pick` where a function needs only some of it).
interface Env {
  /** Anthropic at another base URL (a proxy, or a local protocol server). */
  ANTHROPIC_BASE_URL?: string
  /** Workers AI over its REST API, e.g. from a local stack with an account. */
  WORKERS_AI_ACCOUNT_ID?: string
  WORKERS_AI_API_TOKEN?: string
  WORKERS_AI_BASE_URL?: string
  /** Simulated provider: latency per call, and failures per attempt (`429:0.05,500:0.02,…`). */
  SIMULATED_LATENCY_MS?: string
  SIMULATED_FAILURES?: string
  /** Per-attempt timeout of a provider call (default 30 s). */
  TASK_TIMEOUT_MS?: string
  /** `true` lets endpoints use localhost / 127.0.0.1 / ::1; honoured only when APP_ENV is development. */
  WEBHOOKS_ALLOW_LOCALHOST?: string
  /** The signing secret of IA Bulk's own Stripe webhook endpoint (`whsec_…`). */
  STRIPE_WEBHOOK_SECRET?: string
  /** The signing secret of IA Bulk's Slack app. */
  SLACK_SIGNING_SECRET?: string
  /** Cloudflare's `send_email` binding and its sender, when mail is configured. */
  MAILER?: SendEmail
  MAIL_FROM?: string
}
