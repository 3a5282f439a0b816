// A minimal Chrome DevTools Protocol client for the Worker's isolate, through wrangler's
// inspector port: CPU profiles (bench/profile.mjs) and JS heap usage (bench/run.mjs).
// `ws` comes with wrangler/miniflare; wrangler's inspector proxy wants a localhost Origin.
import WebSocket from 'ws'

export async function inspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json()
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0]
  const ws = new WebSocket(target.webSocketDebuggerUrl, { origin: 'http://localhost', maxPayload: 2 ** 30 })
  await new Promise((done, fail) => {
    ws.once('open', done)
    ws.once('error', fail)
  })
  let id = 0
  const pending = new Map()
  ws.on('message', (data) => {
    const message = JSON.parse(data)
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message)
      pending.delete(message.id)
    }
  })
  const send = (method, params = {}) =>
    new Promise((done) => {
      const messageId = ++id
      pending.set(messageId, done)
      ws.send(JSON.stringify({ id: messageId, method, params }))
    })
  return { send, close: () => ws.close(), targets }
}

/** Samples the isolate's JS heap (Runtime.getHeapUsage) every `intervalMs`; `stop()` gives MB figures. */
export async function startHeapSampler(port, intervalMs = 1000) {
  const cdp = await inspector(port)
  const samples = []
  const sample = async () => {
    const { result } = await cdp.send('Runtime.getHeapUsage')
    if (result) samples.push(result.usedSize)
  }
  await sample()
  const timer = setInterval(sample, intervalMs)
  return {
    async stop() {
      clearInterval(timer)
      await sample()
      cdp.close()
      const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1)
      return {
        start_mb: mb(samples[0]),
        peak_mb: mb(Math.max(...samples)),
        end_mb: mb(samples.at(-1)),
        mb_per_s: samples.map((b) => Math.round(b / 2 ** 20)),
      }
    },
  }
}
