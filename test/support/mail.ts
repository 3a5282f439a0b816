// Reads the mail the Worker sends: on the test stack (a development build with no MAILER binding)
// each message is logged as a `mail.logged` JSON line, which this captures from console.log.
import { afterEach, vi } from 'vitest'
import type { MailMessage } from '../../workers/identity/mailer'

const sent: MailMessage[] = []
let spying = false

/** Starts capturing (once per file) and returns the live list of messages sent. */
export function mailbox(): MailMessage[] {
  if (!spying) {
    spying = true
    const original = console.log.bind(console)
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      const [first] = args
      if (typeof first === 'string' && first.includes('"mail.logged"')) {
        const { to, subject, text } = JSON.parse(first)
        sent.push({ to, subject, text })
        return
      }
      original(...args)
    })
    afterEach(() => {
      sent.length = 0
    })
  }
  return sent
}

/** The last message sent to the address; fails the test when there is none. */
export function lastMailTo(to: string): MailMessage {
  const message = sent.findLast((m) => m.to === to)
  if (!message) throw new Error(`No mail was sent to ${to}.`)
  return message
}

/** The first token-looking value after `token=` in a message's text. */
export function tokenIn(message: MailMessage): string {
  const match = /token=([\w-]+)/.exec(message.text)
  if (!match?.[1]) throw new Error(`No token in: ${message.text}`)
  return match[1]
}
