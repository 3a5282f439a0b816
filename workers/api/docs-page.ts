// Renders the API reference at /docs from the OpenAPI document, on the server and with no
// script or remote asset, so it works offline on the local stack.

import type { OpenAPIObject, OperationObject, ParameterObject, RequestBodyObject } from 'openapi3-ts/oas31'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

const schemaText = (schema: unknown) => escapeHtml(JSON.stringify(schema, null, 2) ?? '')

function renderOperation(method: string, path: string, op: OperationObject): string {
  const params = ((op.parameters ?? []) as ParameterObject[])
    .map(
      (p) =>
        `<li><code>${escapeHtml(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${escapeHtml(p.description ?? '')}</li>`,
    )
    .join('')
  const body = (op.requestBody as RequestBodyObject | undefined)?.content?.['application/json']?.schema
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<li><code>${status}</code> ${escapeHtml((r as { description?: string }).description ?? '')}</li>`,
    )
    .join('')
  return `<section class="op" id="${escapeHtml(`${method}-${path}`)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary ?? '')}${op.security?.length ? ' <em>(Bearer API key or access token)</em>' : ''}</p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}
${body ? `<h4>Request body</h4><pre>${schemaText(body)}</pre>` : ''}
<h4>Responses</h4><ul>${responses}</ul></section>`
}

export function renderDocsPage(doc: OpenAPIObject): string {
  const byTag = new Map<string, string[]>()
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods as Record<string, OperationObject>)) {
      const tag = op.tags?.[0] ?? 'Other'
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, op)])
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join('')}`).join('')
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${schemaText(schema)}</pre>`,
    )
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
pre{background:#f5f5f7;padding:.75rem;overflow:auto;font-size:13px}.op{border-top:1px solid #ddd;padding:.5rem 0}
.method{font:600 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;background:#555}.get{background:#1a7f37}
.post{background:#0969da}.patch,.put{background:#9a6700}.delete{background:#cf222e}</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description ?? '')} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
${sections}<h2>Schemas</h2>${schemas}</body></html>`
}
