// Per-request variables, declared once for every handler and middleware.
import type { Principal } from '../identity/principal'

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string
    principal: Principal
  }
}

export type AppEnv = { Bindings: Env }
