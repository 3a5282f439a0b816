// Provider registry. Until real providers land, every task runs on the simulated provider.
import type { Provider } from '../provider'
import { simulatedProvider } from './simulated'
import { readSimulatedConfig } from './simulated/config'

export type ProviderEnv = { SIMULATED_LATENCY_MS?: string; SIMULATED_FAILURES?: string }

export function providerFor(env: ProviderEnv): Provider {
  return simulatedProvider(readSimulatedConfig(env))
}
