import {isIPv4} from 'node:net'

/**
 * Enough of iptables to answer one question the way the kernel would: is a new packet of this
 * protocol and port, from (or to) this peer, accepted by the filter table's INPUT (or OUTPUT)
 * chain, or by FORWARD on its way to a container? Rules are walked in order, jumps and gotos followed, policies applied. A rule with a match
 * this reader does not know is not taken for a match, but a DROP or REJECT among those is reported
 * as uncertain, so a verdict is never more confident than it should be.
 */

export interface Rule {
  raw: string
  target: string
  /** -g: when the target chain ends, so does this rule's chain. */
  goto?: true
  protocol?: {name: string; negate: boolean}
  dports?: {ranges: [number, number][]; negate: boolean}
  source?: {cidr: string; negate: boolean}
  destination?: {cidr: string; negate: boolean}
  inIface?: {name: string; negate: boolean}
  outIface?: {name: string; negate: boolean}
  states?: {values: string[]; negate: boolean}
  /** -m addrtype: LOCAL, UNICAST, ... */
  srcType?: {values: string[]; negate: boolean}
  dstType?: {values: string[]; negate: boolean}
  /** Matches this reader does not evaluate (-m recent, -m set, ...). */
  unknown: string[]
}

export interface Chain {
  policy?: string
  rules: Rule[]
}

export type FilterTable = Map<string, Chain>

/** IP protocol numbers, as iptables-save may print them instead of the name. */
const PROTOCOL_NUMBERS = {tcp: '6', udp: '17', esp: '50'} as const

export interface Packet {
  /** FORWARD: a packet passing through the node (to a container on a bridge), after DNAT. */
  chain: 'INPUT' | 'OUTPUT' | 'FORWARD'
  /** esp: IPsec's ESP (IP protocol 50), which has no ports. */
  protocol: keyof typeof PROTOCOL_NUMBERS
  /** The destination port; none for a protocol without ports (esp). */
  port?: number
  /** The other node's address: the source for INPUT and FORWARD, the destination for OUTPUT. */
  peer: string
  /** This node's address and interface (the one a FORWARD packet comes in on). */
  local: string
  iface: string
  /** FORWARD only: where the packet goes (a container's address) and the interface it leaves by. */
  destination?: string
  outIface?: string
}

export interface Verdict {
  accepted: boolean
  /** The rule that decided, or "policy DROP of INPUT". */
  by: string
  /** DROP/REJECT rules with matches not evaluated that could have applied. */
  uncertain: string[]
}

/** The filter table of `iptables-save` output. */
export function parseFilterTable(text: string): FilterTable {
  const table: FilterTable = new Map()
  let inFilter = false
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('*')) inFilter = line === '*filter'
    if (!inFilter) continue
    const chain = /^:(\S+)\s+(\S+)/.exec(line)
    if (chain) table.set(chain[1], {policy: chain[2] === '-' ? undefined : chain[2], rules: []})
    const rule = /^-A\s+(\S+)\s+(.*)$/.exec(line)
    if (rule) {
      if (!table.has(rule[1])) table.set(rule[1], {rules: []})
      table.get(rule[1])!.rules.push(parseRule(line, rule[2]))
    }
  }

  return table
}

function parseRule(raw: string, text: string): Rule {
  const words = tokens(text)
  const rule: Rule = {raw, target: '', unknown: []}
  let negate = false
  let module = ''
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    const value = () => words[++i] ?? ''
    if (word === '!') {
      negate = true
      continue
    }

    switch (word) {
      case '-p': case '--protocol': rule.protocol = {name: value(), negate}; break
      case '-s': case '--source': rule.source = {cidr: value(), negate}; break
      case '-d': case '--destination': rule.destination = {cidr: value(), negate}; break
      case '-i': case '--in-interface': rule.inIface = {name: value(), negate}; break
      case '-o': case '--out-interface': rule.outIface = {name: value(), negate}; break
      case '-j': case '--jump': case '-g': case '--goto':
        rule.target = value()
        if (word === '-g' || word === '--goto') rule.goto = true
        // iptables-save prints the target last: what follows are its options (--reject-with), not matches.
        return rule
      case '-m': case '--match': module = value(); break
      case '--dport': case '--destination-port': case '--dports': case '--destination-ports': rule.dports = {ranges: portRanges(value()), negate}; break
      case '--ctstate': case '--state': rule.states = {values: value().split(','), negate}; break
      case '--comment': value(); break
      case '--src-type': rule.srcType = {values: value().split(','), negate}; break
      case '--dst-type': rule.dstType = {values: value().split(','), negate}; break
      case '--sport': case '--source-port': case '--sports': case '--source-ports': rule.unknown.push(`${word} ${value()}`); break
      default:
        // Options of modules this reader does not evaluate (and their values).
        if (word.startsWith('-') && !['tcp', 'udp', 'multiport', 'conntrack', 'state', 'comment'].includes(module)) rule.unknown.push(`-m ${module} ${word}`)
        else if (word.startsWith('--')) rule.unknown.push(word)
    }

    negate = false
  }

  return rule
}

/** Splits on spaces, keeping "quoted strings" (comments) whole. */
function tokens(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2])
}

function portRanges(text: string): [number, number][] {
  return text.split(',').map((part) => {
    const [lo, hi = lo] = part.split(':')
    return [Number(lo || 0), Number(hi || 65_535)]
  })
}

/** Walks the chain for the packet, as the kernel would for a new connection. */
export function evaluate(table: FilterTable, packet: Packet): Verdict {
  const uncertain: string[] = []
  const decided = walk(table, packet.chain, packet, uncertain, 0)
  if (decided) return {...decided, uncertain}
  const policy = table.get(packet.chain)?.policy ?? 'ACCEPT'
  return {accepted: policy === 'ACCEPT', by: `policy ${policy} of ${packet.chain}`, uncertain}
}

function walk(table: FilterTable, chain: string, packet: Packet, uncertain: string[], depth: number): {accepted: boolean; by: string} | undefined {
  if (depth > 20) return undefined
  for (const rule of table.get(chain)?.rules ?? []) {
    if (!matches(rule, packet)) continue
    if (rule.unknown.length > 0) {
      if (['DROP', 'REJECT'].includes(rule.target)) uncertain.push(rule.raw)
      continue
    }

    if (rule.target === 'ACCEPT') return {accepted: true, by: rule.raw}
    if (rule.target === 'DROP' || rule.target === 'REJECT') return {accepted: false, by: rule.raw}
    if (rule.target === 'RETURN') return undefined
    if (table.has(rule.target)) {
      const inner = walk(table, rule.target, packet, uncertain, depth + 1)
      // After -g, a chain that ends returns past this one, to its caller.
      if (inner || rule.goto) return inner
    }
  }

  return undefined
}

function matches(rule: Rule, packet: Packet): boolean {
  const {chain} = packet
  const source = chain === 'OUTPUT' ? packet.local : packet.peer
  const destination = chain === 'INPUT' ? packet.local : chain === 'FORWARD' ? packet.destination ?? '' : packet.peer
  const inIface = chain === 'OUTPUT' ? undefined : packet.iface
  const outIface = chain === 'INPUT' ? undefined : chain === 'FORWARD' ? packet.outIface : packet.iface
  const check = (condition: {negate: boolean} | undefined, test: () => boolean) => condition === undefined || test() !== condition.negate
  return (
    check(rule.protocol, () => ['all', '0', packet.protocol, PROTOCOL_NUMBERS[packet.protocol]].includes(rule.protocol!.name.toLowerCase())) &&
    // A port match (which needs -p tcp/udp) never matches a packet without ports.
    check(rule.dports, () => packet.port !== undefined && rule.dports!.ranges.some(([lo, hi]) => packet.port! >= lo && packet.port! <= hi)) &&
    check(rule.source, () => inCidr(source, rule.source!.cidr)) &&
    check(rule.destination, () => inCidr(destination, rule.destination!.cidr)) &&
    check(rule.inIface, () => inIface !== undefined && ifaceMatches(rule.inIface!.name, inIface)) &&
    check(rule.outIface, () => outIface !== undefined && ifaceMatches(rule.outIface!.name, outIface)) &&
    check(rule.states, () => rule.states!.values.includes('NEW')) &&
    check(rule.srcType, () => rule.srcType!.values.includes(chain === 'OUTPUT' ? 'LOCAL' : peerType(packet))) &&
    check(rule.dstType, () => rule.dstType!.values.includes(chain === 'INPUT' ? 'LOCAL' : chain === 'FORWARD' ? 'UNICAST' : peerType(packet)))
  )
}

/** This node's own address is LOCAL; a peer is another node's UNICAST address, or loopback. */
function peerType(packet: Packet): string {
  return packet.peer === packet.local || inCidr(packet.peer, '127.0.0.0/8') ? 'LOCAL' : 'UNICAST'
}

function ifaceMatches(pattern: string, iface: string): boolean {
  return pattern.endsWith('+') ? iface.startsWith(pattern.slice(0, -1)) : pattern === iface
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/')
  if (!isIPv4(ip) || !isIPv4(base)) return false
  const toInt = (a: string) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0
  const prefix = Number(bits)
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0
  return (toInt(ip) & mask) === (toInt(base) & mask)
}
