// The task catalogue: task type → definition.

import { AppError } from '../errors'
import { adCopy } from './ad-copy'
import { classify } from './classify'
import { emailSubject } from './email-subject'
import { embed } from './embed'
import { extract } from './extract'
import { imageAltText } from './image-alt-text'
import { imageClassify } from './image-classify'
import { openaiChat } from './openai-chat'
import { openaiEmbedding } from './openai-embedding'
import { productDescription } from './product-description'
import { seoMeta } from './seo-meta'
import { sms } from './sms'
import { socialPost } from './social-post'
import { summarize } from './summarize'
import { translate } from './translate'
import type { TaskDefinition } from './types'

const TASKS = [
  productDescription,
  adCopy,
  socialPost,
  emailSubject,
  sms,
  seoMeta,
  translate,
  summarize,
  classify,
  extract,
  embed,
  imageAltText,
  imageClassify,
  openaiChat,
  openaiEmbedding,
]

const CATALOGUE: Record<string, TaskDefinition> = Object.fromEntries(
  TASKS.map((task) => [task.type, task as unknown as TaskDefinition]),
)

export const TASK_TYPES = Object.keys(CATALOGUE)

export function findTask(type: string): TaskDefinition | undefined {
  return Object.hasOwn(CATALOGUE, type) ? CATALOGUE[type] : undefined
}

/** The task of `type`, or an `unknown_task` error: 400 when a body names it, 404 when a path does. */
export function requireTask(type: string, status: 400 | 404 = 400): TaskDefinition {
  const task = findTask(type)
  if (!task)
    throw new AppError(
      'unknown_task',
      status,
      `Unknown task "${type}". Known tasks: ${TASK_TYPES.join(', ')}.`,
    )
  return task
}
