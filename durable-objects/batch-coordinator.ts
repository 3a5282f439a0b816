// One per batch: task state, dispatch window, results and live progress (the pipeline issue).
import { DurableObject } from 'cloudflare:workers'

export class BatchCoordinator extends DurableObject<Env> {}
