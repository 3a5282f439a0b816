// Test-side client of the local host in test/global-setup.ts that serves what tests publish
// (key sets, images, redirects) and counts the requests each path gets. Give every test its own
// paths: test files run in parallel against the same host.
import { inject } from 'vitest'

export type Publication = { body?: string; status?: number; redirectTo?: string; type?: string }

let counter = 0

/** A path no other test uses, e.g. `/jwks-3-lq2x/<name>`. */
export function uniquePath(name: string): string {
  return `/t-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}/${name}`
}

/** The host's URL for a path. */
export function hostUrl(path: string): string {
  return `${inject('jwksHostUrl')}${path}`
}

/** Publishes a body (or a status, or a 302 to `redirectTo`) at a path; returns its URL. */
export async function publish(path: string, { body = '', status, redirectTo, type }: Publication = {}) {
  const headers = new Headers()
  if (status) headers.set('x-status', String(status))
  if (redirectTo) headers.set('x-redirect-to', redirectTo)
  if (type) headers.set('content-type', type)
  const response = await fetch(hostUrl(path), { method: 'PUT', headers, body })
  if (response.status !== 204) throw new Error(`Publishing ${path} failed: ${response.status}`)
  return hostUrl(path)
}

/** How many GETs the path has had. */
export async function hits(path: string): Promise<number> {
  const response = await fetch(hostUrl(`/__hits${path}`))
  return ((await response.json()) as { hits: number }).hits
}
