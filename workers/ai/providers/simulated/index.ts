// The simulated provider: deterministic answers shaped like each task's real answer and within
// its limits, with configurable latency and failures. The default wherever no real provider is
// configured. Whether a call fails is decided by (seed, attempt), so a retried task can succeed.
import { fnv1a } from '../../../../shared/hash'
import { messageText } from '../../../../shared/tasks/model-call'
import { estimateTokens, type ModelCall, type Provider, ProviderError } from '../../provider'
import type { SimulatedConfig } from './config'

/** Waits `ms`, or fails as every provider does when the attempt's signal ends the wait. */
function sleep(ms: number, signal: AbortSignal) {
  const timedOut = () =>
    new ProviderError('timeout', 'simulated did not answer before the attempt timed out.', true)
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(timedOut())
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(timedOut())
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

function promptText(call: ModelCall): string {
  if (call.kind === 'chat') return call.messages.map(messageText).join('\n')
  if (call.kind === 'embed') return call.texts.join('\n')
  if (call.kind === 'classify_text') return call.text
  return ''
}

export function simulatedProvider(config: SimulatedConfig): Provider {
  return {
    slug: 'simulated',
    supports: ['chat', 'embed', 'classify_text', 'classify_image', 'detect_objects'],
    async generate(request) {
      if (config.latencyMs > 0) await sleep(config.latencyMs, request.signal)
      const failure = pickFailure(config, request.seed, request.attempt)
      if (failure === '429')
        throw new ProviderError('rate_limited', 'Simulated 429 Too Many Requests.', true, 429, 1000)
      if (failure === '500')
        throw new ProviderError('provider_unavailable', 'Simulated 500 Internal Server Error.', true, 500)
      if (failure === 'crash') throw new Error('Simulated crash in the middle of a chunk.')
      if (failure === 'timeout') await sleep(2 ** 31 - 1, request.signal)
      const output = request.simulate()
      return {
        output,
        usage: {
          input_tokens: estimateTokens(promptText(request.call)),
          output_tokens: output.kind === 'text' ? estimateTokens(output.text) : 0,
        },
        provider: 'simulated',
        model: request.model,
      }
    },
  }
}
