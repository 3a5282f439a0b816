// Mail to people (verification links, invitations). Through the `MAILER` send_email binding when
// one is configured; otherwise, on a development build only, the message is written to the log as
// one JSON line (`mail.logged`) so a local run can follow its link. Anywhere else without a
// binding the message cannot go, and the log says so without its content (it carries a secret).

export type MailMessage = { to: string; subject: string; text: string }

type MailEnv = Pick<Env, 'APP_ENV' | 'MAILER' | 'MAIL_FROM'>

const DEFAULT_FROM = 'no-reply@iabulk.local'

/** True when the message was handed to the binding or (development) to the log. */
export async function sendMail(env: MailEnv, message: MailMessage): Promise<boolean> {
  if (env.MAILER) {
    await env.MAILER.send({ from: env.MAIL_FROM ?? DEFAULT_FROM, ...message })
    return true
  }
  if (env.APP_ENV === 'development') {
    console.log(JSON.stringify({ level: 'info', event: 'mail.logged', ...message }))
    return true
  }
  console.log(JSON.stringify({ level: 'warn', event: 'mail.not_configured', subject: message.subject }))
  return false
}
