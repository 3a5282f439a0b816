// One end-to-end batch through the public API: generate a JSONL input, upload it, create the
// batch, poll GET /v1/batches/:id until it finishes (timing each status), and download the
// results to count their lines.
import { once } from 'node:events'
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'

const POLL_MS = 200

/** Writes `rows` product_description rows as JSON Lines; returns the path and size. */
export async function generateJsonl(rows, dir = tmpdir()) {
  const path = join(dir, `iabulk-bench-${rows}.jsonl`)
  const out = createWriteStream(path)
  const LINES_PER_WRITE = 5000
  for (let i = 1; i <= rows; i += LINES_PER_WRITE) {
    let text = ''
    for (let j = i; j < Math.min(rows + 1, i + LINES_PER_WRITE); j++) {
      text += `${JSON.stringify({
        custom_id: `sku-${j}`,
        title: `Trail runner ${j}`,
        features: 'grippy sole, "breathable" mesh',
        audience: 'hikers',
      })}\n`
    }
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return { path, bytes: statSync(path).size }
}

export function client(baseUrl, apiKey) {
  const auth = { Authorization: `Bearer ${apiKey}` }
  async function call(path, init = {}) {
    const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { ...auth, ...init.headers } })
    const text = await res.text()
    let body
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    if (!res.ok)
      throw Object.assign(new Error(`${path} answered ${res.status}: ${text.slice(0, 500)}`), { res })
    return body
  }
  return {
    call,
    async upload(path) {
      return call('/v1/files?purpose=batch&filename=input.jsonl', {
        method: 'POST',
        headers: { 'Content-Type': 'application/jsonl' },
        body: Readable.toWeb(createReadStream(path)),
        duplex: 'half',
      })
    },
    createBatch(body) {
      return call('/v1/batches', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    },
    getBatch(id) {
      return call(`/v1/batches/${id}`)
    },
    /** Streams the results and counts lines without holding them. */
    /**
     * Reads the JSONL results of a batch of generated rows (custom_id `sku-N`) and checks each
     * row's line is there exactly once: duplicates, missing rows and lines per status.
     */
    async verifyResults(id, rows) {
      const res = await fetch(`${baseUrl}/v1/batches/${id}/results?format=jsonl`, { headers: auth })
      if (!res.ok) throw new Error(`results answered ${res.status}: ${await res.text()}`)
      const seen = new Uint8Array(rows + 1)
      const statuses = {}
      const errors = {}
      let duplicates = 0
      let foreign = 0
      let lines = 0
      let tail = ''
      const decoder = new TextDecoder()
      const take = (line) => {
        if (!line) return
        lines++
        const result = JSON.parse(line)
        const n = Number(/^sku-(\d+)$/.exec(result.custom_id)?.[1])
        if (!(n >= 1 && n <= rows)) foreign++
        else if (seen[n]++) duplicates++
        statuses[result.status] = (statuses[result.status] ?? 0) + 1
        if (result.error) errors[result.error.code] = (errors[result.error.code] ?? 0) + 1
      }
      for await (const chunk of res.body) {
        const text = tail + decoder.decode(chunk, { stream: true })
        const parts = text.split('\n')
        tail = parts.pop()
        for (const line of parts) take(line)
      }
      take(tail)
      let missing = 0
      for (let n = 1; n <= rows; n++) if (!seen[n]) missing++
      return { lines, duplicates, missing, foreign, statuses, errors }
    },
    async countResultLines(id, format = 'jsonl') {
      const res = await fetch(`${baseUrl}/v1/batches/${id}/results?format=${format}`, { headers: auth })
      if (!res.ok) throw new Error(`results answered ${res.status}: ${await res.text()}`)
      let lines = 0
      let bytes = 0
      let succeeded = 0
      let tail = ''
      const decoder = new TextDecoder()
      for await (const chunk of res.body) {
        bytes += chunk.byteLength
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++
        if (format === 'jsonl') {
          // Count succeeded lines too, so a run that "completes" with failures is visible.
          const text = tail + decoder.decode(chunk, { stream: true })
          const end = text.lastIndexOf('\n') + 1
          succeeded += text.slice(0, end).split('"status":"succeeded"').length - 1
          tail = text.slice(end)
        }
      }
      return { lines, bytes, succeeded: format === 'jsonl' ? succeeded : undefined }
    },
  }
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

/**
 * Polls a batch until it is finished. Returns when each status was first seen (ms after `t0`),
 * the final batch, and the poll count. `onPoll` sees every answer.
 */
export async function waitForBatch(api, id, { t0, onPoll, timeoutMs = 30 * 60 * 1000 } = {}) {
  const firstSeen = {}
  let polls = 0
  let batch
  const finished = new Set(['completed', 'failed', 'cancelled'])
  for (;;) {
    batch = await api.getBatch(id)
    polls++
    const at = Date.now() - t0
    firstSeen[batch.status] ??= at
    onPoll?.(batch, at)
    if (finished.has(batch.status)) break
    if (at > timeoutMs) throw new Error(`Batch ${id} did not finish within ${timeoutMs / 1000} s.`)
    await sleep(POLL_MS)
  }
  return { firstSeen, batch, polls }
}

/**
 * A whole file batch: upload → create → poll → download. Returns per-phase timings (ms) and
 * rates (tasks/s). Phases come from the statuses the API reports: `validating` until the first
 * slice is ingested, `in_progress` while tasks run (ingest of later slices overlaps it),
 * `finalizing` while results are written to R2.
 */
export async function runFileBatch(
  api,
  { input, rows, params = { tone: 'friendly' }, cache = false, onStarted, onPoll, timeoutMs },
) {
  const t0 = Date.now()
  const file = await api.upload(input.path)
  const uploadMs = Date.now() - t0
  const created = await api.createBatch({
    task: 'product_description',
    params,
    cache,
    input_file_id: file.id,
  })
  const createdAt = Date.now() - t0
  onStarted?.(created)
  const { firstSeen, batch, polls } = await waitForBatch(api, created.id, { t0, onPoll, timeoutMs })
  const doneMs = firstSeen[batch.status]
  const dl0 = Date.now()
  const jsonl = await api.countResultLines(created.id, 'jsonl')
  const downloadMs = Date.now() - dl0
  const csv0 = Date.now()
  const csv = await api.countResultLines(created.id, 'csv')
  const downloadCsvMs = Date.now() - csv0

  const inProgressAt = firstSeen.in_progress ?? createdAt
  const finalizingAt = firstSeen.finalizing ?? doneMs
  const phases = {
    upload_ms: uploadMs,
    create_ms: createdAt - uploadMs,
    validating_ms: inProgressAt - createdAt,
    execute_ms: finalizingAt - inProgressAt,
    finalize_ms: doneMs - finalizingAt,
    total_ms: doneMs,
    batch_ms: doneMs - uploadMs,
    download_jsonl_ms: downloadMs,
    download_csv_ms: downloadCsvMs,
  }
  const rate = (ms) => (ms > 0 ? Math.round(rows / (ms / 1000)) : null)
  return {
    rows,
    input_bytes: input.bytes,
    batch_id: created.id,
    status: batch.status,
    counts: batch.request_counts,
    phases,
    rates: {
      upload: rate(phases.upload_ms),
      execute: rate(phases.execute_ms),
      finalize: rate(phases.finalize_ms),
      batch: rate(phases.batch_ms),
      overall: rate(phases.total_ms),
    },
    results: {
      jsonl_lines: jsonl.lines,
      jsonl_succeeded: jsonl.succeeded,
      jsonl_bytes: jsonl.bytes,
      csv_lines: csv.lines,
    },
    lines_ok: jsonl.lines === rows && csv.lines === rows + 1 && jsonl.succeeded === rows,
    polls,
  }
}
