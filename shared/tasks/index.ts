// The task catalogue: task type → definition.
import { classify } from './classify'
import { productDescription } from './product-description'
import { seoMeta } from './seo-meta'
import type { TaskDefinition } from './types'

const CATALOGUE: Record<string, TaskDefinition> = Object.fromEntries(
  [productDescription, seoMeta, classify].map((task) => [task.type, task as unknown as TaskDefinition]),
)

export const TASK_TYPES = Object.keys(CATALOGUE)

export function findTask(type: string): TaskDefinition | undefined {
  return Object.hasOwn(CATALOGUE, type) ? CATALOGUE[type] : undefined
}
