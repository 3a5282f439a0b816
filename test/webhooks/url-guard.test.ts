// The SSRF guard on webhook URLs: every address form that reaches a private network is refused,
// whether written plainly or disguised (numeric IPv4 forms, IPv4 inside IPv6), at registration
// and again at delivery; the localhost flag works only in development.
import { describe, expect, it } from 'vitest'
import { parseIPv4, parseIPv6 } from '../../shared/net/ip-ranges'
import { allowsLoopback, checkUrl } from '../../shared/net/url-guard'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'

const strict = (url: string) => checkUrl(url, { allowLoopback: false })
const reasonOf = (url: string) => {
  const verdict = strict(url)
  return verdict.ok ? 'allowed' : verdict.reason
}

const REFUSED: [string, string][] = [
  ['ftp://example.com/hook', 'Only http and https'],
  ['file:///etc/passwd', 'Only http and https'],
  ['javascript:alert(1)', 'Only http and https'],
  ['https://user:secret@example.com/hook', 'credentials'],
  ['not a url', 'not a valid absolute URL'],
  ['http://localhost/hook', 'localhost'],
  ['http://LOCALHOST./hook', 'localhost'],
  ['http://api.localhost/hook', 'localhost'],
  ['http://127.0.0.1/hook', '127.0.0.0/8'],
  ['http://127.1/', '127.0.0.0/8'],
  ['http://2130706433/', '127.0.0.0/8'],
  ['http://0x7f.1/', '127.0.0.0/8'],
  ['http://017700000001/', '127.0.0.0/8'],
  ['http://0x7f000001/', '127.0.0.0/8'],
  ['http://127.000.000.001/', '127.0.0.0/8'],
  ['http://[::1]/', '::1'],
  ['http://[0:0:0:0:0:0:0:1]/', '::1'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped) of 127.0.0.0/8'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped) of 127.0.0.0/8'],
  ['http://[::ffff:10.0.0.1]/', 'IPv4-mapped) of 10.0.0.0/8'],
  ['http://[::]/', ':: (unspecified)'],
  ['http://0.0.0.0/', '0.0.0.0/8'],
  ['http://0/', '0.0.0.0/8'],
  ['http://10.0.0.1/', '10.0.0.0/8'],
  ['http://172.16.0.1/', '172.16.0.0/12'],
  ['http://172.31.255.255/', '172.16.0.0/12'],
  ['http://192.168.1.1/', '192.168.0.0/16'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
  ['http://169.254.1.1/', '169.254.0.0/16'],
  ['http://100.64.0.1/', '100.64.0.0/10'],
  ['http://100.127.255.255/', '100.64.0.0/10'],
  ['http://[fe80::1]/', 'fe80::/10'],
  ['http://[fc00::1]/', 'fc00::/7'],
  ['http://[fd12:3456::1]/', 'fc00::/7'],
  ['http://[fd00:ec2::254]/', 'cloud metadata'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata'],
  ['http://db.internal/', '*.internal'],
  ['http://printer.local/', '*.local'],
  ['http://intranet/', 'single-label'],
  ['http://[64:ff9b::10.0.0.1]/', 'NAT64) of 10.0.0.0/8'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64) of 169.254.169.254'],
  ['http://[64:ff9b::7f00:1]/', 'NAT64) of 127.0.0.0/8'],
  ['http://[2002:7f00:1::]/', '6to4) of 127.0.0.0/8'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://255.255.255.255/', 'reserved'],
]

const ALLOWED = [
  'https://example.com/hooks/iabulk',
  'http://example.com:8080/hook',
  'https://93.184.216.34/hook',
  'https://[2606:4700:4700::1111]/hook',
  'http://172.32.0.1/',
  'http://100.128.0.1/',
  'https://[64:ff9b::8.8.8.8]/',
]

describe('webhook URL guard', () => {
  it.each(REFUSED)('refuses %s', (url, reason) => {
    expect(reasonOf(url)).toContain(reason)
  })

  it.each(ALLOWED)('allows %s', (url) => {
    expect(strict(url).ok).toBe(true)
  })

  it('sees the numeric forms as the URL parser normalises them, and parses them itself too', () => {
    for (const host of ['2130706433', '0x7f.1', '017700000001', '127.1', '0x7f000001']) {
      expect(new URL(`http://${host}/`).hostname).toBe('127.0.0.1')
      expect(parseIPv4(host)).toBe(0x7f000001)
    }
    expect(parseIPv4('256.1.1.1')).toBeNull()
    expect(parseIPv4('example.com')).toBeNull()
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]')
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])
    expect(parseIPv6('1::2::3')).toBeNull()
  })

  it('allows loopback only with the flag in development, and never private ranges', () => {
    expect(allowsLoopback({ APP_ENV: 'development', WEBHOOKS_ALLOW_LOCALHOST: 'true' })).toBe(true)
    expect(allowsLoopback({ APP_ENV: 'production', WEBHOOKS_ALLOW_LOCALHOST: 'true' })).toBe(false)
    expect(allowsLoopback({ APP_ENV: 'development' })).toBe(false)
    const relaxed = (url: string) => checkUrl(url, { allowLoopback: true }).ok
    expect(relaxed('http://127.0.0.1:8787/hook')).toBe(true)
    expect(relaxed('http://localhost:8787/hook')).toBe(true)
    expect(relaxed('http://[::1]:8787/hook')).toBe(true)
    expect(relaxed('http://[::ffff:127.0.0.1]/')).toBe(false)
    expect(relaxed('http://10.0.0.1/')).toBe(false)
    expect(relaxed('http://169.254.169.254/')).toBe(false)
  })

  it('answers 400 webhook_url_refused when an endpoint is registered or moved to such a URL', async () => {
    const { accessToken } = await signUp()
    for (const url of [
      'http://169.254.169.254/',
      'http://[::ffff:7f00:1]/',
      'http://0x0a.0.0.1/',
      'gopher://example.com/',
    ]) {
      const body = await callJson('/v1/webhooks', 400, { method: 'POST', token: accessToken, json: { url } })
      expectErrorEnvelope(body, 'webhook_url_refused')
    }
    const created = await callJson('/v1/webhooks', 201, {
      method: 'POST',
      token: accessToken,
      json: { url: 'https://example.com/hook' },
    })
    const moved = await callJson(`/v1/webhooks/${created.id}`, 400, {
      method: 'PATCH',
      token: accessToken,
      json: { url: 'http://192.168.0.10/hook' },
    })
    expectErrorEnvelope(moved, 'webhook_url_refused')
  })
})
