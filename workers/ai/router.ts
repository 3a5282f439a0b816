// The AI router: walks a route's provider/model targets in order. On each target it retries
// rate limits, 5xx and timeouts with backoff (honouring Retry-After up to a cap) under a
// per-attempt timeout, then falls back to the next target. When every target fails, it throws
// the error that decides the task's fate: retryable if any target failed transiently (the queue
// tries again later), otherwise the last one.
import type { ProviderTarget } from '../../shared/db/schema'
import { backoffMs } from '../../shared/pipeline/backoff'
import type { ProviderOutput } from '../../shared/tasks/model-call'
import type { ModelCall, Provider, ProviderResult } from './provider'
import { ProviderError } from './provider'

export type RetryPolicy = {
  /** Tries on one target before falling back. */
  attemptsPerTarget: number
  timeoutMs: number
  baseDelayMs: number
  /** A Retry-After longer than this is not waited for here: the next target is tried instead. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attemptsPerTarget: 2,
  timeoutMs: 30_000,
  baseDelayMs: 250,
  maxRetryAfterMs: 5_000,
}

export type RoutedCall = {
  call: ModelCall
  targets: ProviderTarget[]
  providers: Record<string, Provider>
  seed: number
  /** The queue delivery (1 first); feeds deterministic providers. */
  delivery: number
  simulate: () => ProviderOutput
  policy?: Partial<RetryPolicy>
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * An attempt's timeout, made when a provider first waits on it (a timer per attempt is dear for
 * those that never do) and cleared when the attempt ends: an invocation may hold only so many
 * active timers (10,000 in workerd), and a consumer runs many chunks in one.
 */
function attemptDeadline(timeoutMs: number) {
  let controller: AbortController | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  return {
    get signal(): AbortSignal {
      if (!controller) {
        const made = new AbortController()
        controller = made
        timer = setTimeout(
          () => made.abort(new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError')),
          timeoutMs,
        )
      }
      return controller.signal
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

async function withDeadline<T>(
  timeoutMs: number,
  run: (deadline: ReturnType<typeof attemptDeadline>) => Promise<T>,
): Promise<T> {
  const deadline = attemptDeadline(timeoutMs)
  try {
    return await run(deadline)
  } finally {
    deadline.clear()
  }
}

function asProviderError(error: unknown, timeoutMs: number): ProviderError {
  if (error instanceof ProviderError) return error
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return new ProviderError('timeout', `No answer within ${timeoutMs} ms.`, true)
  throw error
}

export async function routeCall(routed: RoutedCall): Promise<ProviderResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...routed.policy }
  const failures: ProviderError[] = []
  for (const target of routed.targets) {
    const provider = routed.providers[target.provider]
    if (!provider) {
      failures.push(
        new ProviderError('not_configured', `Provider "${target.provider}" is not configured.`, false),
      )
      continue
    }
    if (!provider.supports.includes(routed.call.kind)) {
      failures.push(
        new ProviderError('unsupported', `${target.provider} cannot run ${routed.call.kind} calls.`, false),
      )
      continue
    }
    for (let attempt = 1; attempt <= policy.attemptsPerTarget; attempt++) {
      try {
        return await withDeadline(policy.timeoutMs, (deadline) =>
          provider.generate({
            call: routed.call,
            model: target.model,
            get signal() {
              return deadline.signal
            },
            seed: routed.seed,
            attempt: (routed.delivery - 1) * policy.attemptsPerTarget + attempt,
            simulate: routed.simulate,
          }),
        )
      } catch (error) {
        const failure = asProviderError(error, policy.timeoutMs)
        failures.push(failure)
        const waitMs = failure.retryAfterMs ?? 0
        if (!failure.retryable || attempt === policy.attemptsPerTarget || waitMs > policy.maxRetryAfterMs)
          break
        await sleep(
          backoffMs(attempt, {
            baseMs: policy.baseDelayMs,
            maxMs: policy.maxRetryAfterMs,
            atLeastMs: waitMs,
          }),
        )
      }
    }
  }
  throw decidingError(failures)
}

function decidingError(failures: ProviderError[]): ProviderError {
  if (!failures.length) return new ProviderError('no_route', 'The route has no targets.', false)
  const transient = failures.filter((failure) => failure.retryable)
  if (!transient.length) return failures.at(-1)!
  const last = transient.at(-1)!
  const retryAfterMs = Math.max(0, ...transient.map((failure) => failure.retryAfterMs ?? 0))
  const tried = failures.map((failure) => failure.code).join(', ')
  return new ProviderError(
    last.code,
    `${last.message} (tried: ${tried})`,
    true,
    last.status,
    retryAfterMs || undefined,
  )
}
