// Classifies IP literals for the URL guard: which IPv4 and IPv6 ranges are not the public
// internet (loopback, private, link-local, CGNAT, metadata, documentation, multicast). IPv6 forms
// that carry an IPv4 address (mapped, translated, NAT64, 6to4) are judged by the address they
// carry; IPv6 outside global unicast (2000::/3) is refused whatever it is.

export type AddressClass = { kind: 'public' } | { kind: 'loopback' | 'refused'; range: string }

const PUBLIC: AddressClass = { kind: 'public' }

const V4_RANGES: [base: string, bits: number, name: string][] = [
  ['0.0.0.0', 8, '0.0.0.0/8 (this network)'],
  ['10.0.0.0', 8, '10.0.0.0/8 (private)'],
  ['100.64.0.0', 10, '100.64.0.0/10 (carrier-grade NAT)'],
  ['169.254.169.254', 32, '169.254.169.254 (cloud metadata)'],
  ['169.254.0.0', 16, '169.254.0.0/16 (link-local)'],
  ['172.16.0.0', 12, '172.16.0.0/12 (private)'],
  ['192.0.0.0', 24, '192.0.0.0/24 (IETF protocol assignments)'],
  ['192.0.2.0', 24, '192.0.2.0/24 (documentation)'],
  ['192.88.99.0', 24, '192.88.99.0/24 (6to4 relay anycast)'],
  ['192.168.0.0', 16, '192.168.0.0/16 (private)'],
  ['198.18.0.0', 15, '198.18.0.0/15 (benchmarking)'],
  ['198.51.100.0', 24, '198.51.100.0/24 (documentation)'],
  ['203.0.113.0', 24, '203.0.113.0/24 (documentation)'],
  ['224.0.0.0', 4, '224.0.0.0/4 (multicast)'],
  ['240.0.0.0', 4, '240.0.0.0/4 (reserved)'],
]

function dotted(text: string): number {
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0)
}

function inRange(address: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits)
  return Math.floor(address / size) === Math.floor(dotted(base) / size)
}

export function classifyIPv4(address: number): AddressClass {
  if (inRange(address, '127.0.0.0', 8)) return { kind: 'loopback', range: '127.0.0.0/8 (loopback)' }
  const hit = V4_RANGES.find(([base, bits]) => inRange(address, base, bits))
  return hit ? { kind: 'refused', range: hit[2] } : PUBLIC
}

/**
 * Parses a host as IPv4 the way URL parsers do: one to four parts, each decimal, octal (`0…`)
 * or hex (`0x…`), the last part filling the remaining bytes (`127.1`, `2130706433`, `0x7f.1`).
 * Null when the host is not an IPv4 literal.
 */
export function parseIPv4(host: string): number | null {
  const parts = host.replace(/\.$/, '').split('.')
  if (parts.length > 4) return null
  const numbers: number[] = []
  for (const part of parts) {
    const match = /^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i.exec(part)
    if (!match) return null
    const radix = /^0x/i.test(part) ? 16 : part.length > 1 && part.startsWith('0') ? 8 : 10
    const digits = radix === 16 ? part.slice(2) : part
    numbers.push(digits === '' ? 0 : Number.parseInt(digits, radix))
  }
  const last = numbers.pop()!
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null
  return numbers.reduce((value, n, i) => value + n * 256 ** (3 - i), 0) + last
}

/** Parses an IPv6 literal (without brackets) into eight 16-bit groups; null if it is not one. */
export function parseIPv6(text: string): number[] | null {
  let body = text.toLowerCase()
  // A trailing dotted IPv4 (`::ffff:127.0.0.1`) is two groups written another way.
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(body)
  if (v4) {
    const bytes = v4.slice(2).map(Number)
    if (bytes.some((byte) => byte > 255)) return null
    const group = (a: number, b: number) => (a * 256 + b).toString(16)
    body = `${v4[1]}${group(bytes[0]!, bytes[1]!)}:${group(bytes[2]!, bytes[3]!)}`
  }
  const halves = body.split('::')
  if (halves.length > 2) return null
  const groups = (half: string) => (half === '' ? [] : half.split(':'))
  const head = groups(halves[0]!)
  const rest = halves.length === 2 ? groups(halves[1]!) : []
  if ([...head, ...rest].some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return null
  const known = head.length + rest.length
  if (halves.length === 1 ? known !== 8 : known > 7) return null
  const parse = (list: string[]) => list.map((group) => Number.parseInt(group, 16))
  return [...parse(head), ...Array<number>(8 - known).fill(0), ...parse(rest)]
}

function embeddedV4(high: number, low: number): number {
  return high * 65536 + low
}

/** Mapped, translated, NAT64 and 6to4 forms are judged by the IPv4 address they carry. */
function classifyCarried(address: number, form: string): AddressClass {
  const inner = classifyIPv4(address)
  return inner.kind === 'public' ? PUBLIC : { kind: 'refused', range: `${form} of ${inner.range}` }
}

const refused = (range: string): AddressClass => ({ kind: 'refused', range })

/** Judges eight 16-bit groups, as `parseIPv6` gives them. */
export function classifyIPv6(g: number[]): AddressClass {
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0)
  const [first, second, third] = [g[0]!, g[1]!, g[2]!]
  const low32 = embeddedV4(g[6]!, g[7]!)
  if (zeros(0, 8)) return refused(':: (unspecified)')
  if (zeros(0, 7) && g[7] === 1) return { kind: 'loopback', range: '::1 (loopback)' }
  if (zeros(0, 5) && g[5] === 0xffff) return classifyCarried(low32, '::ffff:0:0/96 (IPv4-mapped)')
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0)
    return classifyCarried(low32, '::ffff:0:0:0/96 (IPv4-translated)')
  if (zeros(0, 6)) return refused('::/96 (IPv4-compatible, deprecated)')
  if (first === 0x64 && second === 0xff9b && zeros(2, 6))
    return classifyCarried(low32, '64:ff9b::/96 (NAT64)')
  if (first === 0x64 && second === 0xff9b && third === 1) return refused('64:ff9b:1::/48 (local-use NAT64)')
  if (first === 0x100 && zeros(1, 4)) return refused('100::/64 (discard)')
  if (first === 0x2002) return classifyCarried(embeddedV4(second, third), '2002::/16 (6to4)')
  if (first === 0x2001 && second === 0) return refused('2001::/32 (Teredo)')
  if (first === 0x2001 && second === 0xdb8) return refused('2001:db8::/32 (documentation)')
  if (first === 0x2001 && second < 0x200) return refused('2001::/23 (IETF protocol assignments)')
  if ((first & 0xfff0) === 0x3ff0) return refused('3fff::/20 (documentation)')
  if (first === 0xfd00 && second === 0xec2 && zeros(2, 7) && g[7] === 0x254)
    return refused('fd00:ec2::254 (cloud metadata)')
  if ((first & 0xfe00) === 0xfc00) return refused('fc00::/7 (unique local)')
  if ((first & 0xffc0) === 0xfe80) return refused('fe80::/10 (link-local)')
  if ((first & 0xffc0) === 0xfec0) return refused('fec0::/10 (site-local, deprecated)')
  if ((first & 0xff00) === 0xff00) return refused('ff00::/8 (multicast)')
  if ((first & 0xe000) !== 0x2000) return refused('outside 2000::/3 (not global unicast)')
  return PUBLIC
}
