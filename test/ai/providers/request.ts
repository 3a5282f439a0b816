// Builds provider requests for tests and captures the ProviderError a call ends with.
import { expect } from 'vitest'
import { type ModelCall, ProviderError, type ProviderRequest } from '../../../workers/ai/provider'

export function providerRequest(
  call: ModelCall,
  model: string,
  signal: AbortSignal = AbortSignal.timeout(10_000),
): ProviderRequest {
  return { call, model, signal, seed: 1, attempt: 1, simulate: () => ({ kind: 'text', text: '' }) }
}

/** Awaits a call that must fail and returns its ProviderError. */
export async function providerError(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(ProviderError)
  return error as ProviderError
}

/** A 1×1 PNG, as inline image data. */
export const PIXEL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
