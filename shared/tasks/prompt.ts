// Small pieces shared by the chat tasks' prompts.

/** The closing instruction of every chat task: answer with JSON only. */
export function replyAsJson(shape: string): string {
  return `Reply with only a JSON object matching the given JSON schema, shaped like ${shape}. No markdown fences, no commentary.`
}

/** The present parts, one per line. */
export function lines(...parts: (string | false | undefined | null)[]): string {
  return parts.filter(Boolean).join('\n')
}

/** "1 headline" / "3 headlines". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
