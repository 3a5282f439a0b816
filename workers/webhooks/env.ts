// The webhooks and hooks code reads the one Env; its optional secrets are declared in shared/env.d.ts.
export type WebhooksEnv = Env
