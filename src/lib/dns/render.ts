import {colour, renderTable} from '../ui/output.js'
import type {DnsResult} from './dns.js'

type Lookup = DnsResult['lookups'][number]

/** What `dns` prints: where it asked, each name's answers against the swarm's, and the notes. */
export function renderDns(result: DnsResult): string {
  return [
    `${colour.bold(result.service)} on ${result.network} (${result.endpointMode}${result.vip ? ` ${result.vip}` : ''}), asked on ${result.from.node} in ${result.from.container}`,
    renderTable(['NAME', 'DNS ANSWERS', 'THE SWARM SAYS', 'CHECK'], result.lookups.map((l) => [l.name, l.answered.join(', ') || '(none)', l.expected.join(', ') || '(none)', verdict(l)])),
    ...result.notes.map((note) => colour.dim(`Note: ${note}.`)),
  ].join('\n')
}

/** Why `dns` fails: the names whose answers disagree with the swarm. */
export function dnsDisagreement(result: DnsResult): string {
  const bad = result.lookups.filter((l) => verdict(l) !== 'ok').map((l) => `${l.name}: ${verdict(l)}`)
  return `DNS on ${result.from.node} disagrees with the swarm: ${bad.join('; ')}`
}

function verdict(l: Lookup): string {
  if (l.error) return colour.red(l.error)
  const parts = [...(l.stale.length > 0 ? [`stale ${l.stale.join(', ')}`] : []), ...(l.missing.length > 0 ? [`missing ${l.missing.join(', ')}`] : [])]
  return parts.length > 0 ? colour.red(parts.join('; ')) : colour.green('ok')
}
