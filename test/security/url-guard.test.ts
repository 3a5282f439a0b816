// The URL guard judges the host as the WHATWG URL parser sees it, so every spelling of a private
// address is refused: IPv6 forms that carry an IPv4 address, numeric and encoded IPv4 forms,
// Unicode digits and dots, trailing dots, userinfo and backslash tricks, names that spell out
// a private address. A few public spellings stay allowed.
import { describe, expect, it } from 'vitest'
import { checkUrl } from '../../shared/net/url-guard'

const strict = (url: string) => checkUrl(url, { allowLoopback: false })
const reasonOf = (url: string) => {
  const verdict = strict(url)
  return verdict.ok ? 'allowed' : verdict.reason
}

const IPV6_CARRYING_IPV4: [string, string][] = [
  ['http://[::ffff:0:7f00:1]/', 'IPv4-translated) of 127.0.0.0/8'],
  ['http://[::ffff:0:127.0.0.1]/', 'IPv4-translated) of 127.0.0.0/8'],
  ['http://[::ffff:0:a00:1]/', 'IPv4-translated) of 10.0.0.0/8'],
  ['http://[::ffff:0:169.254.169.254]/', 'IPv4-translated) of 169.254.169.254'],
  ['http://[0:0:0:0:ffff:0:c0a8:101]/', 'IPv4-translated) of 192.168.0.0/16'],
  ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped) of 169.254.169.254'],
  ['http://[0000:0000:0000:0000:0000:ffff:127.0.0.1]/', 'IPv4-mapped) of 127.0.0.0/8'],
  ['http://[::127.0.0.1]/', '::/96 (IPv4-compatible'],
  ['http://[::a00:1]/', '::/96 (IPv4-compatible'],
  ['http://[::8.8.8.8]/', '::/96 (IPv4-compatible'],
  ['http://[2002:7f00:1::]/', '6to4) of 127.0.0.0/8'],
  ['http://[2002:a00:1::1]/', '6to4) of 10.0.0.0/8'],
  ['http://[2002:a9fe:a9fe::]/', '6to4) of 169.254.169.254'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '2001::/32 (Teredo)'],
  ['http://[2001::a00:1]/', '2001::/32 (Teredo)'],
  ['http://[64:ff9b::127.0.0.1]/', 'NAT64) of 127.0.0.0/8'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64) of 169.254.169.254'],
  ['http://[64:ff9b::192.168.0.1]/', 'NAT64) of 192.168.0.0/16'],
  ['http://[64:ff9b:1::a00:1]/', '64:ff9b:1::/48 (local-use NAT64)'],
  ['http://[64:ff9b:1:ffff::8.8.8.8]/', '64:ff9b:1::/48 (local-use NAT64)'],
  ['http://[::ffff:0:0:0:7f00:1]/', 'not global unicast'],
]

const OTHER_SPELLINGS: [string, string][] = [
  ['http://[::FFFF:7F00:1]/', 'IPv4-mapped) of 127.0.0.0/8'],
  ['http://[::1]/', '::1 (loopback)'],
  ['http://[fe80::1%25eth0]/', 'not a valid absolute URL'],
  ['http://[::1%251]/', 'not a valid absolute URL'],
  ['http://%31%32%37.0.0.1/', '127.0.0.0/8'],
  ['http://%31%30.0.0.1/', '10.0.0.0/8'],
  ['http://１２７.０.０.１/', '127.0.0.0/8'],
  ['http://１６９.２５４.１６９.２５４/', 'cloud metadata'],
  ['http://127。0。0。1/', '127.0.0.0/8'],
  ['http://①②⑦.0.0.1/', '127.0.0.0/8'],
  ['http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/', 'localhost'],
  ['http://127.0.0.1./', '127.0.0.0/8'],
  ['http://127.0.0.1../', '127.0.0.0/8'],
  ['http://localhost../', 'localhost'],
  ['http://metadata.google.internal./', 'cloud metadata'],
  ['http://0177.0.0.1/', '127.0.0.0/8'],
  ['http://012.0.0.1/', '10.0.0.0/8'],
  ['http://0x7F000001/', '127.0.0.0/8'],
  ['http://0x7f.1/', '127.0.0.0/8'],
  ['http://%30x7f.1/', '127.0.0.0/8'],
  ['http://127.1/', '127.0.0.0/8'],
  ['http://10.1/', '10.0.0.0/8'],
  ['http://2852039166/', 'cloud metadata'],
  ['http://0251.0376.0251.0376/', 'cloud metadata'],
  ['http://0xa9fea9fe/', 'cloud metadata'],
  ['http://0xA9.0xFE.0xA9.0xFE/', 'cloud metadata'],
  ['http://127.0.0.\t1/', '127.0.0.0/8'],
  ['HTTP://LOCALHOST/', 'localhost'],
  ['http://LocalHost./', 'localhost'],
  ['http://0/', '0.0.0.0/8'],
  ['http://public.example.com@127.0.0.1/', 'credentials'],
  ['http://127.0.0.1#@public.example.com/', '127.0.0.0/8'],
  ['http://127.0.0.1?@public.example.com/', '127.0.0.0/8'],
  ['http://127.0.0.1\\@public.example.com/', '127.0.0.0/8'],
  ['http://127.0.0.1:80\\@public.example.com/', '127.0.0.0/8'],
  ['http:\\\\169.254.169.254\\latest\\meta-data', 'cloud metadata'],
  ['http:/\\10.0.0.1/', '10.0.0.0/8'],
  ['http://10.0.0.1.nip.io/', 'a name spelling out 10.0.0.0/8'],
  ['http://app.169.254.169.254.sslip.io/', 'a name spelling out 169.254.169.254'],
  ['http://10-0-0-1.sslip.io/', 'a name spelling out 10.0.0.0/8'],
  ['http://ip-10-0-0-1.ec2.compute.example/', 'a name spelling out 10.0.0.0/8'],
  ['http://app.localtest.me/', 'resolves to 127.0.0.1'],
]

const ALLOWED = [
  'https://example.com/',
  'https://EXAMPLE.com./hooks',
  'https://93.184.216.34/',
  'https://１.１.１.１/',
  'https://[2606:4700:4700::1111]/',
  'https://[2606:4700:4700:0:0:0:0:1111]/',
  'https://[::ffff:8.8.8.8]/',
  'https://[64:ff9b::8.8.8.8]/',
  'https://[2002:808:808::1]/',
  'https://cdn.example.com/10.0.0.1/pixel.png',
  'https://ec2-54-1-2-3.compute-1.amazonaws.com/',
]

describe('URL guard: every spelling', () => {
  it.each(IPV6_CARRYING_IPV4)('refuses the IPv6 form %s', (url, reason) => {
    expect(reasonOf(url)).toContain(reason)
  })

  it.each(OTHER_SPELLINGS)('refuses %s', (url, reason) => {
    expect(reasonOf(url)).toContain(reason)
  })

  it.each(ALLOWED)('allows %s', (url) => {
    expect(strict(url).ok).toBe(true)
  })

  it('judges the host the URL parser produces, and hands that URL back to be fetched', () => {
    const verdict = checkUrl('HTTPS://Ex%61mple.COM./a b', { allowLoopback: false })
    expect(verdict.ok && verdict.url.href).toBe('https://example.com./a%20b')
  })

  it('with httpsOnly, refuses plain http except to loopback when loopback is allowed', () => {
    expect(checkUrl('http://example.com/', { allowLoopback: false, httpsOnly: true })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Only https'),
    })
    expect(checkUrl('http://127.0.0.1:9/', { allowLoopback: true, httpsOnly: true }).ok).toBe(true)
    expect(checkUrl('http://127.0.0.1:9/', { allowLoopback: false, httpsOnly: true }).ok).toBe(false)
    expect(checkUrl('https://example.com/', { allowLoopback: false, httpsOnly: true }).ok).toBe(true)
  })
})
