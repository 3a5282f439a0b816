// Starts the model provider protocol servers for a test run and provides their base URLs.
import type { TestProject } from 'vitest/node'
import { startAnthropicServer } from './anthropic'
import { startOpenAIServer } from './openai'
import { startWorkersAiServer } from './workers-ai'

/** Starts every protocol server; returns a function that stops them. */
export async function startProtocolServers(project: TestProject): Promise<() => Promise<void>> {
  const [openai, anthropic, workersAi] = await Promise.all([
    startOpenAIServer(),
    startAnthropicServer(),
    startWorkersAiServer(),
  ])
  project.provide('openaiBaseUrl', `${openai.origin}/v1`)
  project.provide('anthropicBaseUrl', anthropic.origin)
  project.provide('workersAiBaseUrl', `${workersAi.origin}/client/v4`)
  return async () => {
    await Promise.all([openai.close(), anthropic.close(), workersAi.close()])
  }
}
