import {DEFAULT_DATA_PATH_PORT} from '../../docker/map-raw.js'
import type {NetworkSummary, SwarmNode} from '../../docker/engine.js'
import type {Reached} from '../checks.js'
import type {IpsecFacts} from '../facts.js'
import {evaluate} from '../iptables.js'
import type {SwarmContext, SwarmFinding} from '../swarm-checks.js'

// Encrypted overlays that carry nothing (moby/moby#26523, #30766, #46838; docker/for-linux#91): the
// network is created and its tasks run, but no packet crosses nodes. Pure: pings over the network,
// each node's IPsec and its firewall's verdict on ESP (IP protocol 50) in, one finding per network out.

/** What a node's kernel lacks for IPsec, in words ("no ESP (esp4)"); empty when nothing is known to be missing. */
export function ipsecLacks(ipsec: IpsecFacts): string[] {
  return [
    ...(ipsec.esp === 'missing' ? ['no ESP (esp4, CONFIG_INET_ESP)'] : []),
    ...(ipsec.xfrm === 'no' ? ['no xfrm netlink (CONFIG_XFRM_USER)'] : []),
    ...(ipsec.gcm === false ? ['no AES-GCM (CONFIG_CRYPTO_GCM)'] : []),
  ]
}

/** Rules on the members' firewalls that drop ESP between them: "INPUT on node-2 drops ESP from node-1, node-3 (-A INPUT -p esp -j DROP)". */
export function espDrops(reached: Reached[], members: SwarmNode[]): string[] {
  const byRule = new Map<string, string[]>()
  for (const r of reached.filter((m) => m.table && m.facts)) {
    const iface = r.facts!.addresses.get(r.node.address) ?? ''
    for (const peer of members.filter((n) => n.id !== r.node.id && n.address)) {
      for (const chain of ['INPUT', 'OUTPUT'] as const) {
        const verdict = evaluate(r.table!, {chain, protocol: 'esp', peer: peer.address, local: r.node.address, iface})
        const key = `${chain} on ${r.node.hostname} drops ESP ${chain === 'INPUT' ? 'from' : 'to'}\n${verdict.by}`
        if (!verdict.accepted) byRule.set(key, [...(byRule.get(key) ?? []), peer.hostname])
      }
    }
  }

  return [...byRule].map(([key, peers]) => {
    const [what, rule] = key.split('\n')
    return `${what} ${peers.join(', ')} (${rule})`
  })
}

/** Nodes grouped by what their kernels lack: "node-1, node-2: kernel 6.18 has no ESP (...), no AES-GCM (...)". */
function kernelLines(reached: Reached[]): string[] {
  const groups = new Map<string, string[]>()
  for (const r of reached) {
    const lacks = r.facts?.ipsec ? ipsecLacks(r.facts.ipsec) : []
    if (lacks.length === 0) continue
    const key = `kernel ${r.facts!.kernel} has ${lacks.join(', ')}`
    groups.set(key, [...(groups.get(key) ?? []), r.node.hostname])
  }

  return [...groups].map(([what, nodes]) => `${nodes.join(', ')}: ${what}`)
}

/** Members whose kernel seems able, but which hold no IPsec key: Docker could not program them. */
function keyless(reached: Reached[]): string[] {
  return reached.filter((r) => r.facts?.ipsec?.states === 0 && ipsecLacks(r.facts.ipsec).length === 0).map((r) => r.node.hostname)
}

export function encryptedFinding(network: NetworkSummary, context: SwarmContext): SwarmFinding {
  const base = {name: 'encrypted', subject: `network ${network.name}`}
  const memberIds = new Set(context.tasks.filter((t) => t.state === 'running' && t.addresses.some((a) => a.networkId === network.id)).map((t) => t.nodeId))
  const members = context.nodes.filter((n) => memberIds.has(n.id))
  const reached = (context.reached ?? []).filter((r) => memberIds.has(r.node.id) && r.facts)
  const kernel = kernelLines(reached)
  const drops = members.length > 1 ? espDrops(reached, members) : []
  const noKeys = members.length > 1 ? keyless(reached) : []
  const causes = [...kernel, ...drops, ...(noKeys.length > 0 ? [`${noKeys.join(', ')}: no IPsec state (ip xfrm state is empty)`] : [])]
  const hints = [
    ...(kernel.length > 0 ? ['the kernel lacks IPsec: load the modules (modprobe esp4 xfrm_user) or run a kernel with CONFIG_INET_ESP and CONFIG_CRYPTO_GCM, or recreate the network without --opt encrypted'] : []),
    ...(drops.length > 0 ? ['allow IP protocol 50 (ESP) between the nodes, e.g. iptables -I INPUT -p esp -s PEER -j ACCEPT (and OUTPUT -p esp -d PEER)'] : []),
  ]
  const hint = hints.length > 0 ? hints.join('; ') : `no kernel lack or firewall rule here explains it: allow ESP (IP protocol 50) and ${context.dataPathPort ?? DEFAULT_DATA_PATH_PORT}/udp on the firewalls between the nodes, and check \`ip xfrm state\` on each node (Docker adds a key per peer)`
  const probe = context.encryptedProbes?.find((p) => p.network === network.name)
  const results = [...(probe?.results ?? [])]
  const failed = results.filter(([, ok]) => !ok).map(([pair]) => pair)
  const answered = `${results.length - failed.length} of ${results.length} ping${results.length === 1 ? '' : 's'} between its tasks on different nodes answered`
  if (failed.length > 0) {
    const what = failed.length === results.length ? `carries nothing: ${answered}` : `${answered}; failed: ${failed.join(', ')}`
    return {...base, status: 'fail', detail: [`(--opt encrypted) ${what}`, ...causes].join('; '), hint}
  }

  if (results.length > 0) return {...base, status: 'pass', detail: `(--opt encrypted) ${answered}`}
  const why = members.length < 2 ? 'its tasks run on fewer than two nodes' : probe?.note ?? 'no reached node runs a container on it'
  if (causes.length > 0) return {...base, status: 'warn', detail: [`(--opt encrypted) not probed (${why}), but traffic between nodes would fail`, ...causes].join('; '), hint}
  return {...base, status: 'skip', detail: `(--opt encrypted) not probed: ${why}`}
}

/** One finding per encrypted overlay (none when no overlay is encrypted). */
export function encryptedCheck(context: SwarmContext): SwarmFinding[] {
  return context.networks.filter((n) => n.driver === 'overlay' && n.encrypted).map((network) => encryptedFinding(network, context))
}
