// The openai_chat and openai_embedding tasks as the pipeline runs them, without a provider.
import { describe, expect, it } from 'vitest'
import { openaiChat } from '../../shared/tasks/openai-chat'
import { openaiEmbedding } from '../../shared/tasks/openai-embedding'
import { simulated } from '../tasks/run-task'
import { chatLine, embeddingLine } from './support'

const { custom_id: _, ...chatRow } = chatLine('x', 'Hello there')

describe('OpenAI pass-through tasks', () => {
  it('make the model call the request describes', () => {
    const input = openaiChat.input.parse({
      ...chatRow,
      body: {
        ...chatRow.body,
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
            ],
          },
        ],
        max_tokens: 50,
        temperature: 0,
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
      },
    })
    expect(openaiChat.call!(input, {})).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', image: { mediaType: 'image/png', data: 'iVBORw0K' } },
            { type: 'image', image: { url: 'https://example.com/a.jpg' } },
          ],
        },
      ],
      maxTokens: 50,
      temperature: 0,
      json: { name: 'answer', schema: { type: 'object' } },
    })
  })

  it('simulate answers that read as valid outputs, cut at max_tokens with finish_reason length', () => {
    for (let seed = 0; seed < 50; seed++) {
      const { output } = simulated(openaiChat, chatRow, undefined, seed)
      expect(output).toEqual({ content: expect.stringContaining('Hello there'), finish_reason: 'stop' })
    }
    const short = simulated(
      openaiChat,
      { ...chatRow, body: { ...chatRow.body, max_tokens: 2 } },
      undefined,
      1,
    )
    expect(short.output).toEqual({ content: expect.any(String), finish_reason: 'length' })
    expect(short.output.content.length).toBeLessThanOrEqual(8)

    const { custom_id: __, ...embedRow } = embeddingLine('e', ['a', 'b', 'a'])
    const vectors = simulated(openaiEmbedding, embedRow, undefined, 3).output.embeddings
    expect(vectors).toHaveLength(3)
    expect(vectors[2]).toEqual(vectors[0])
  })

  it('take the request body, bare or as a batch line whose url is the task’s endpoint', () => {
    expect(openaiChat.input.parse(chatRow)).toEqual(chatRow.body)
    expect(openaiChat.input.parse(chatRow.body)).toEqual(chatRow.body)

    const wrong = openaiEmbedding.input.safeParse({ ...chatRow, url: '/v1/chat/completions' })
    expect(wrong.success).toBe(false)
    expect(wrong.error!.issues[0]).toMatchObject({
      path: ['url'],
      message: expect.stringContaining("every line's url must be /v1/embeddings"),
    })
    const bare = openaiChat.input.safeParse({ model: 'm', messages: [] })
    expect(bare.error!.issues[0]!.path).toEqual(['messages'])
  })
})
