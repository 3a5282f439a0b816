// Classification and detection models: text classification (`{ text }`), image classification
// (resnet-50) and object detection (detr-resnet-50), both `{ image: bytes }`. None report usage.
import { z } from 'zod'
import type { ProviderOutput } from '../../../../shared/tasks/model-call'
import { parseBody } from '../http-errors'

const Labels = z.array(z.object({ label: z.string(), score: z.number() }))

const Objects = z.array(
  z.object({
    label: z.string(),
    score: z.number(),
    box: z.object({ xmin: z.number(), ymin: z.number(), xmax: z.number(), ymax: z.number() }),
  }),
)

export function labelsResult(result: unknown): ProviderOutput {
  return { kind: 'labels', labels: parseBody(Labels, result, 'Workers AI') }
}

export function objectsResult(result: unknown): ProviderOutput {
  return { kind: 'objects', objects: parseBody(Objects, result, 'Workers AI') }
}
