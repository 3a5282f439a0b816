// The task catalogue: task type → definition.
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
