// List prices per model in US dollars per million tokens, used to turn the provider's reported
// usage into a cost per task. Edit here when prices change; an unknown model costs 0 and is
// reported as unpriced. `simulated-*` models carry gpt-4o-mini's prices so estimates and batch
// costs on the local stack have realistic magnitudes.
import type { Usage } from '../../shared/db/schema'

type Price = { input: number; output: number }

const PRICES: Record<string, Price> = {
  // OpenAI
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  // Anthropic
  'claude-3-5-haiku-latest': { input: 0.8, output: 4 },
  'claude-sonnet-4-20250514': { input: 3, output: 15 },
  // Workers AI (neurons converted to tokens at the published rates)
  '@cf/meta/llama-3.3-70b-instruct-fp8-fast': { input: 0.29, output: 2.25 },
  '@cf/meta/llama-3.1-8b-instruct-fp8-fast': { input: 0.045, output: 0.384 },
  '@cf/meta/llama-3.2-11b-vision-instruct': { input: 0.049, output: 0.68 },
  '@cf/baai/bge-base-en-v1.5': { input: 0.067, output: 0 },
  '@cf/baai/bge-large-en-v1.5': { input: 0.204, output: 0 },
  // The simulated provider
  'simulated-1': { input: 0.15, output: 0.6 },
  'simulated-embed-1': { input: 0.02, output: 0 },
}

export function priceOf(model: string): Price | null {
  return Object.hasOwn(PRICES, model) ? PRICES[model]! : null
}

/** Cost in US dollars of `usage` on `model`; 0 for a model without a listed price. */
export function costOf(model: string, usage: Usage): number {
  const price = priceOf(model)
  if (!price) return 0
  return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000
}
