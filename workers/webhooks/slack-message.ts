// What a Slack incoming webhook receives: one line of mrkdwn text saying how a batch ended.

type Counts = { total?: number; completed?: number; failed?: number; needs_review?: number }

const ICONS: Record<string, string> = {
  'batch.completed': ':white_check_mark:',
  'batch.failed': ':x:',
  'batch.cancelled': ':no_entry_sign:',
}

export function slackMessage(type: string, data: Record<string, unknown>): { text: string } {
  if (!(type in ICONS))
    return { text: 'IA Bulk: this Slack webhook is connected; batch results will be posted here.' }
  const counts = (data.request_counts ?? {}) as Counts
  const error = data.error as { message?: string } | undefined
  const review = counts.needs_review ? `, ${counts.needs_review} need review` : ''
  const lines = [
    `${ICONS[type]} Batch \`${data.batch_id}\` (${data.task}) ${data.status}: ${counts.completed ?? 0} of ${counts.total ?? 0} tasks succeeded, ${counts.failed ?? 0} failed${review}.`,
  ]
  if (error?.message) lines.push(`> ${error.message}`)
  return { text: lines.join('\n') }
}
