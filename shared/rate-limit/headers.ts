// RateLimit-Policy / RateLimit response fields (IETF httpapi ratelimit-headers draft).
import { z } from 'zod'

export const rateLimitPolicySchema = z.object({
  name: z.string(),
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
  remaining: z.number().int().nonnegative(),
  resetSeconds: z.number().int().nonnegative(),
})

export const rateLimitDecisionSchema = z.object({
  allowed: z.boolean(),
  retryAfterSeconds: z.number().int().nonnegative(),
  policies: z.array(rateLimitPolicySchema),
})

export type RateLimitDecision = z.infer<typeof rateLimitDecisionSchema>

export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const policies = decision.policies
  const tightest = policies.reduce((a, b) => (b.remaining < a.remaining ? b : a))
  const headers: Record<string, string> = {
    'RateLimit-Policy': policies.map((p) => `"${p.name}";q=${p.limit};w=${p.windowSeconds}`).join(', '),
    RateLimit: `"${tightest.name}";r=${tightest.remaining};t=${tightest.resetSeconds}`,
  }
  if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds)
  return headers
}
