// The simulated provider: deterministic outputs shaped like each task's real output, with
// configurable latency and failures. The default wherever no real provider is configured.
// Whether a call fails is decided by (seed, attempt), so a retried task can succeed later.
import { fnv1a } from '../../../../shared/hash'
import { estimateTokens, type Provider, ProviderError } from '../../provider'
import type { SimulatedConfig } from './config'

const MODEL = 'simulated-1'

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })
}

function pickFailure(config: SimulatedConfig, seed: number, attempt: number) {
  const roll = fnv1a(`${seed}:${attempt}`) / 0x1_0000_0000
  let threshold = 0
  for (const failure of config.failures) {
    threshold += failure.rate
    if (roll < threshold) return failure.kind
  }
  return null
}

export function simulatedProvider(config: SimulatedConfig): Provider {
  return {
    slug: 'simulated',
    async generate(request) {
      if (config.latencyMs > 0) await sleep(config.latencyMs, request.signal)
      const failure = pickFailure(config, request.seed, request.attempt)
      if (failure === '429')
        throw new ProviderError('rate_limited', 'Simulated 429 Too Many Requests.', true, 429, 1000)
      if (failure === '500')
        throw new ProviderError('provider_error', 'Simulated 500 Internal Server Error.', true, 500)
      if (failure === 'crash') throw new Error('Simulated crash in the middle of a chunk.')
      if (failure === 'timeout') {
        await sleep(2 ** 31 - 1, request.signal)
      }
      const output = request.task.simulate(request.input, request.params, request.seed)
      const prompt = request.messages.map((message) => message.content).join('\n')
      return {
        output,
        usage: {
          input_tokens: estimateTokens(prompt),
          output_tokens: estimateTokens(JSON.stringify(output)),
        },
        provider: 'simulated',
        model: request.model ?? MODEL,
      }
    },
  }
}
