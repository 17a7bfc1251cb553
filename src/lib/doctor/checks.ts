import type {NetworkSummary, ServiceSummary, SwarmNode, SwarmSettings, TaskSummary} from '../docker/engine.js'
import {DEFAULT_DATA_PATH_PORT} from '../docker/map-raw.js'
import {type Repair, fdbCheck} from './dataplane.js'
import {forwardCheck, keepaliveCheck, offloadCheck, routesCheck, tablesCheck} from './host-checks.js'
import type {NodeFacts} from './facts.js'
import {type FilterTable, evaluate} from './iptables.js'

// The checks, pure: what doctor gathered from the nodes in, one row of findings per node out.

export type Status = 'pass' | 'warn' | 'fail' | 'skip'

export interface Check {
  name: string
  status: Status
  /** What was found, one line. */
  detail: string
  /** What to do about it, when something is wrong. */
  hint?: string
  /** What `doctor --fix` would run to put it right, when it can. */
  repairs?: Repair[]
}

export interface NodeReport {
  node: string
  address: string
  role: string
  /** "ssh://root@10.213.0.12:22": the one connection this node was asked through. */
  via?: string
  checks: Check[]
}

export interface SwarmPort {
  name: string
  protocol: 'tcp' | 'udp'
  port: number
  managersOnly?: boolean
}

/** Cluster management and gossip: the same ports on every swarm. */
export const SWARM_PORTS: SwarmPort[] = [
  {name: '2377/tcp', protocol: 'tcp', port: 2377, managersOnly: true},
  {name: '7946/tcp', protocol: 'tcp', port: 7946},
  {name: '7946/udp', protocol: 'udp', port: 7946},
]

/** The VXLAN port: the swarm's data-path port (`swarm init --data-path-port`), Docker's 4789 unless it was moved. */
export function dataPathPort(context: Pick<Context, 'dataPathPort'>): SwarmPort {
  const port = context.dataPathPort ?? DEFAULT_DATA_PATH_PORT
  return {name: `${port}/udp`, protocol: 'udp', port}
}

/** The per-node checks, by the name `doctor --check` takes: a check's first word ("port 7946/tcp" is "port"). */
export const NODE_CHECKS = ['ssh', 'state', 'ipvs', 'port', 'vxlan', 'mtu', 'ingress', 'addresses', 'firewall', 'engine', 'consistency', 'fdb', 'routes', 'forward', 'tables', 'keepalive', 'offload']

/** The name `--check` selects a node check by. */
export function checkFamily(check: Pick<Check, 'name'>): string {
  return check.name.split(' ')[0]
}

/** What doctor learnt of one node: its facts and firewall, or why it could not read them. */
export interface Reached {
  node: SwarmNode
  /** "ssh://root@10.213.0.12:22": the SSH connection it was reached through, when it was. */
  via?: string
  facts?: NodeFacts
  table?: FilterTable
  error?: string
}

/** What pings between containers on a shared overlay found: the VXLAN path, for real. */
export interface DataPath {
  network?: string
  /** "from node → to node": reached or not. */
  results: Map<string, boolean>
  note?: string
}

/** Each node's own view of its overlays (its gossip-fed network DB), against the manager's tasks. */
export interface View {
  node: string
  network: string
  /** The addresses this node's overlay peers use (the data path). */
  peers: string[]
  missing: {task: string; ip: string; node: string}[]
  stale: string[]
}

export interface Context {
  allNodes: SwarmNode[]
  managers: SwarmNode[]
  reached: Reached[]
  services: ServiceSummary[]
  networks: NetworkSummary[]
  tasks: TaskSummary[]
  dataPath: DataPath
  views: View[]
  /** The swarm's address pool (GET /swarm), when the manager told it. */
  swarm?: SwarmSettings
  /** The swarm's data-path (VXLAN) port; 4789 when absent. */
  dataPathPort?: number
  /** Don't-fragment pings over an overlay between each pair of nodes: the largest packet that crossed. */
  pathMtu?: PathMtu
}

/** What pings of falling sizes over one overlay found: the largest packet that crossed, per pair. */
export interface PathMtu {
  network?: string
  /** The overlay's MTU: the size every pair should carry. */
  mtu: number
  /** "from node → to node": the largest packet (bytes, IP header included) that crossed; 0 when none did. */
  largest: Map<string, number>
  note?: string
}

/** One node's row: every check, or the SSH failure that stopped them. */
export function report(r: Reached, context: Context): NodeReport {
  const base = {node: r.node.hostname, address: r.node.address, role: r.node.role, ...(r.via ? {via: r.via} : {})}
  const state = nodeState(r.node)
  if (r.error && !r.facts) return {...base, checks: [{name: 'ssh', status: 'fail', detail: r.error, hint: 'the other checks need SSH to the node: check its address, sshd, and your SSH config or --ssh-config'}, state]}
  const facts = r.facts!
  return {
    ...base,
    checks: [
      {name: 'ssh', status: 'pass', detail: `reached ${r.via}`},
      state,
      ipvsCheck(facts),
      ...portChecks(r, context),
      vxlanCheck(r, context),
      mtuCheck(r, context),
      ingressCheck(r, context),
      dataPathAddressCheck(r, context),
      firewallCheck(facts, context),
      versionCheck(r.node, context.allNodes),
      consistencyCheck(r, context),
      fdbCheck(r, context),
      routesCheck(r, context),
      forwardCheck(r, context),
      tablesCheck(facts.host),
      keepaliveCheck(facts.host),
      offloadCheck(r),
    ],
  }
}

export function nodeState(node: SwarmNode): Check {
  if (node.status !== 'ready') return {name: 'state', status: 'fail', detail: `${node.status}`, hint: 'the manager cannot reach this node: is dockerd running, and 2377/tcp open?'}
  if (node.availability !== 'active') return {name: 'state', status: 'warn', detail: `ready, ${node.availability}`, hint: `no new tasks are placed here (docker node update --availability active ${node.hostname})`}
  return {name: 'state', status: 'pass', detail: 'ready, active'}
}

export function ipvsCheck(facts: NodeFacts): Check {
  if (facts.ipvs === 'proc' || facts.ipvs === 'module') return {name: 'ipvs', status: 'pass', detail: 'ip_vs loaded'}
  if (facts.ipvs === 'loadable') return {name: 'ipvs', status: 'warn', detail: 'ip_vs not loaded, but loadable', hint: 'modprobe ip_vs ip_vs_rr (dockerd loads it when needed)'}
  return {
    name: 'ipvs', status: 'fail', detail: `this kernel (${facts.kernel}) has no IPVS`,
    hint: 'service VIPs and the ingress routing mesh cannot work on this node: use --endpoint-mode dnsrr (or tasks.<service>) and publish with mode=host, or run a kernel with CONFIG_IP_VS',
  }
}

/** Inbound TCP connects from every other reached node, and what this node's firewall does with new packets. */
export function portChecks(r: Reached, context: Context): Check[] {
  const isManager = context.managers.some((m) => m.id === r.node.id)
  return SWARM_PORTS.filter((p) => !p.managersOnly || isManager).map((p) => {
    const failures: string[] = []
    if (p.protocol === 'tcp') {
      for (const peer of context.reached.filter((o) => o !== r && o.facts)) {
        const ok = peer.facts!.probes.get(`${r.node.address}:${p.port}`)
        // A peer whose own firewall stops it sending is that peer's failure, reported on its row.
        if (ok === false && !sendBlocked(peer, r.node, p)) failures.push(`${peer.node.hostname} cannot connect`)
      }
    }

    failures.push(...firewallBlocks(r, p, context))
    const name = `port ${p.name}`
    if (failures.length > 0) return {name, status: 'fail', detail: failures.join('; '), hint: `open ${p.name} between the nodes (${p.port === 2377 ? 'cluster management' : 'gossip: without it nodes lose each other\'s services'})`}
    return {name, status: 'pass', detail: p.protocol === 'tcp' ? 'reachable from the other nodes' : 'no firewall rule drops it'}
  })
}

function sendBlocked(from: Reached, to: SwarmNode, p: SwarmPort): boolean {
  if (!from.table) return false
  const iface = from.facts!.addresses.get(from.node.address) ?? ''
  return !evaluate(from.table, {chain: 'OUTPUT', protocol: p.protocol, port: p.port, peer: to.address, local: from.node.address, iface}).accepted
}

/** Rules on this node that drop new packets of the port from (INPUT) or to (OUTPUT) its peers, one line per rule. */
function firewallBlocks(r: Reached, p: SwarmPort, context: Context): string[] {
  if (!r.table) return []
  const iface = r.facts!.addresses.get(r.node.address) ?? ''
  const byRule = new Map<string, string[]>()
  for (const peer of context.allNodes.filter((n) => n.id !== r.node.id && n.address)) {
    for (const chain of ['INPUT', 'OUTPUT'] as const) {
      const verdict = evaluate(r.table, {chain, protocol: p.protocol, port: p.port, peer: peer.address, local: r.node.address, iface})
      const key = `${chain} drops ${p.name} ${chain === 'INPUT' ? 'from' : 'to'}\n${verdict.by}`
      if (!verdict.accepted) byRule.set(key, [...(byRule.get(key) ?? []), peer.hostname])
    }
  }

  return [...byRule].map(([key, peers]) => {
    const [what, rule] = key.split('\n')
    return `${what} ${peers.join(', ')} (${rule})`
  })
}

export function vxlanCheck(r: Reached, context: Context): Check {
  const port = dataPathPort(context)
  const name = `vxlan ${port.name}`
  const problems = [...firewallBlocks(r, port, context)]
  const me = r.node.hostname
  const pairs = [...context.dataPath.results].filter(([pair]) => pair.split('→').includes(me))
  const failedPairs = pairs.filter(([, ok]) => !ok).map(([pair]) => pair)
  // The node that fails with every peer, while those reach each other, is the one cut off.
  const othersFine = [...context.dataPath.results].filter(([pair]) => !pair.split('→').includes(me)).every(([, ok]) => ok)
  if (pairs.length > 0 && failedPairs.length === pairs.length && othersFine) problems.push(`the overlay ${context.dataPath.network} carries no traffic to or from this node (${failedPairs.join(', ')} failed)`)
  else if (failedPairs.length > 0 && othersFine) problems.push(`overlay pings failed: ${failedPairs.join(', ')}`)
  const blocked = problems.length > 0 && firewallBlocks(r, port, context).length > 0
  const hint = blocked
    ? `allow ${port.name} between the nodes (VXLAN carries every overlay's traffic${port.port === DEFAULT_DATA_PATH_PORT ? '' : ': this swarm\'s data-path port'}); with --opt encrypted, IP protocol 50 (ESP) too`
    : `no rule here drops ${port.name}: check the firewalls between the nodes, and 7946 (overlay peers find each other through the gossip)`
  if (problems.length > 0) return {name, status: 'fail', detail: problems.join('; '), hint}
  const tested = pairs.length > 0 ? `overlay ${context.dataPath.network} reaches this node's peers (${pairs.length / 2} pings each way)` : context.dataPath.note ?? 'no data path test'
  return {name, status: 'pass', detail: `no firewall rule drops it; ${tested}`}
}

export function mtuCheck(r: Reached, context: Context): Check {
  const iface = r.facts!.addresses.get(r.node.address)
  const underlay = iface ? r.facts!.mtus.get(iface) : undefined
  const measured = pathMtuFinding(r.node.hostname, context.pathMtu)
  if (!underlay) return measured?.short ? measured.check : {name: 'mtu', status: 'skip', detail: `no interface holds ${r.node.address} here`}
  const own = context.networks.filter((n) => n.driver === 'overlay' && context.tasks.some((t) => t.nodeId === r.node.id && t.addresses.some((a) => a.networkId === n.id)))
  const tooBig = own.filter((n) => Number(n.options['com.docker.network.driver.mtu'] ?? 1450) + 50 > underlay)
  if (tooBig.length > 0) {
    const detail = `${iface} has MTU ${underlay}, too small for ${tooBig.map((n) => `${n.name} (${n.options['com.docker.network.driver.mtu'] ?? '1450, the default'})`).join(', ')} plus 50 bytes of VXLAN`
    return {name: 'mtu', status: 'fail', detail: measured?.short ? `${detail}; ${measured.check.detail}` : detail, hint: `small requests work but large ones hang: recreate the overlay with --opt com.docker.network.driver.mtu=${underlay - 50}`}
  }

  if (measured?.short) return measured.check
  const configured = `${iface} MTU ${underlay}; overlays here fit with VXLAN's 50 bytes`
  return {name: 'mtu', status: 'pass', detail: measured ? `${configured}; ${measured.check.detail}` : configured}
}

/**
 * The measured side of the mtu check: pairs with this node whose largest crossing packet is below the
 * overlay's MTU. A node is named when all its pairs fall short, or when a short pair's other node does
 * not fall short with everyone (then the path between the two is to blame, and both are named).
 */
export function pathMtuFinding(node: string, probe: PathMtu | undefined): {short: boolean; check: Check} | undefined {
  if (!probe || probe.largest.size === 0) return undefined
  // 0: nothing crossed at all, which is the vxlan check's finding, not a size.
  const pairs = [...probe.largest].filter(([, size]) => size > 0)
  const mine = pairs.filter(([pair]) => pair.split('→').includes(node))
  if (mine.length === 0) return undefined
  const isShort = ([, size]: [string, number]) => size < probe.mtu
  const allShort = (who: string) => {
    const theirs = pairs.filter(([pair]) => pair.split('→').includes(who))
    return theirs.length > 0 && theirs.every(isShort)
  }

  const short = mine.filter(isShort)
  const blamed = allShort(node) || short.some(([pair]) => !allShort(pair.split('→').find((n) => n !== node)!))
  if (short.length === 0 || !blamed) {
    return {short: false, check: {name: 'mtu', status: 'pass', detail: `pings of ${probe.mtu} bytes (the MTU of ${probe.network}) crossed to and from its peers without fragmenting`}}
  }

  const largest = Math.min(...short.map(([, size]) => size))
  return {
    short: true,
    check: {
      name: 'mtu', status: 'fail',
      detail: `the path over ${probe.network} carries at most ${largest} bytes, less than its MTU ${probe.mtu} (${short.map(([pair, size]) => `${pair} ${size}`).join(', ')}): larger packets are lost, not fragmented`,
      hint: `small requests work but large ones hang: recreate the overlay with --opt com.docker.network.driver.mtu=${largest} (and the others alike), or give the underlay between these nodes ${probe.mtu + 50} bytes (VXLAN adds 50)`,
    },
  }
}

export function ingressCheck(r: Reached, context: Context): Check {
  const published = context.services.flatMap((s) => s.ports.filter((p) => p.publishMode === 'ingress' && p.publishedPort))
  if (published.length === 0) return {name: 'ingress', status: 'skip', detail: 'no port is published through the routing mesh'}
  const facts = r.facts!
  const problems: string[] = []
  if (facts.iptables && !facts.iptables.includes(':DOCKER-INGRESS')) problems.push('no DOCKER-INGRESS chain in the nat table')
  if (!facts.ingressSbox) problems.push('no ingress_sbox namespace')
  else {
    for (const port of published) {
      if (!new RegExp(`--dport ${port.publishedPort}\\b.*-j MARK`).test(facts.ingressSbox.mangle)) problems.push(`no MARK rule for port ${port.publishedPort} in ingress_sbox`)
    }

    if (facts.ipvs === 'missing') problems.push('no IPVS table: the marks lead nowhere')
    else if (!/FWM/.test(facts.ingressSbox.ipvs)) problems.push('the IPVS table has no fwmark service')
  }

  if (problems.length > 0) return {name: 'ingress', status: 'fail', detail: problems.join('; '), hint: facts.ipvs === 'missing' ? 'the mesh needs IPVS on every node; publish with mode=host meanwhile' : 'restart dockerd on this node to rebuild the ingress plumbing, or recreate the ingress network'}
  return {name: 'ingress', status: 'pass', detail: `DOCKER-INGRESS, marks and IPVS in place for ${published.map((p) => p.publishedPort).join(', ')}`}
}

/**
 * The node's advertise address must be its own, and the one the overlays use for it: a data-path
 * address that differs breaks the mesh (moby/moby#37319).
 */
export function dataPathAddressCheck(r: Reached, context: Context): Check {
  const local = [...r.facts!.addresses.keys()]
  if (!local.includes(r.node.address)) return {name: 'addresses', status: 'fail', detail: `the swarm knows this node as ${r.node.address}, but it has no such address (${local.join(', ')})`, hint: 'rejoin with --advertise-addr set to an address of this node'}
  const networks = new Set(context.views.filter((v) => v.node === r.node.hostname).map((v) => v.network))
  const peers = new Set(context.views.filter((v) => networks.has(v.network)).flatMap((v) => v.peers))
  if (peers.size > 0 && !peers.has(r.node.address)) {
    const known = new Set(context.allNodes.map((n) => n.address))
    const strangers = [...peers].filter((ip) => !known.has(ip) && local.includes(ip))
    return {name: 'addresses', status: 'fail', detail: `its overlays know it as ${strangers.join(', ') || 'another address'}, not its advertise address ${r.node.address}`, hint: 'give --data-path-addr the advertise address (or leave it unset) when the node joins (moby/moby#37319)'}
  }

  const source = sourceMismatch(r, context)
  if (source) return source
  return {name: 'addresses', status: 'pass', detail: `advertises ${r.node.address}, which is its own${peers.size > 0 ? ' and the one its overlays use' : ''}${r.facts!.routes ? ', and its packets to its peers leave from it' : ''}`}
}

/**
 * VXLAN's outer source address is whatever the route to the peer picks, not the advertise address: on a
 * host with two addresses the peers may get packets from one they do not know (moby/moby#47389, #53004).
 */
export function sourceMismatch(r: Reached, context: Context): Check | undefined {
  const routes = r.facts!.routes
  if (!routes) return undefined
  const bySource = new Map<string, string[]>()
  for (const peer of context.allNodes.filter((n) => n.id !== r.node.id && n.address)) {
    const source = routes.get(peer.address)
    // A peer at one of this node's own addresses is sent to locally: no VXLAN source to speak of.
    if (!source || source === r.node.address || r.facts!.addresses.has(peer.address)) continue
    bySource.set(source, [...(bySource.get(source) ?? []), `${peer.hostname} (${peer.address})`])
  }

  if (bySource.size === 0) return undefined
  const sources = [...bySource.keys()]
  const iface = r.facts!.addresses.get(r.node.address) ?? 'IFACE'
  return {
    name: 'addresses', status: 'fail',
    detail: [...bySource].map(([source, peers]) => `packets to ${peers.join(', ')} leave from ${source}, not its advertise address ${r.node.address}`).join('; ') + ': VXLAN\'s outer source follows the route',
    hint: `make the advertise address the source of the route to the peers (ip route replace PEER-NET dev ${iface} src ${r.node.address}), or rejoin with --advertise-addr ${sources[0]} --data-path-addr ${sources[0]} if that is the address to use (moby/moby#47389, #53004)`,
  }
}

export function firewallCheck(facts: NodeFacts, context: Pick<Context, 'dataPathPort'> = {}): Check {
  const notes: string[] = []
  if (/^Status: active/m.test(facts.ufw)) notes.push('ufw is active')
  if (/^running/m.test(facts.firewalld)) notes.push('firewalld is running')
  if (facts.iptablesError) return {name: 'firewall', status: 'warn', detail: `cannot read iptables (${facts.iptablesError})`, hint: 'doctor reads the rules as root, or with sudo -n'}
  if (notes.length > 0) return {name: 'firewall', status: 'warn', detail: `${notes.join(', ')}; its rules are checked above`, hint: `allow 2377/tcp, 7946/tcp+udp and ${dataPathPort(context).name} between the nodes in it`}
  return {name: 'firewall', status: 'pass', detail: 'no ufw or firewalld; iptables rules checked above'}
}

export function versionCheck(node: SwarmNode, nodes: SwarmNode[]): Check {
  const versions = new Map<string, string[]>()
  for (const n of nodes) versions.set(n.engineVersion, [...(versions.get(n.engineVersion) ?? []), n.hostname])
  if (versions.size <= 1) return {name: 'engine', status: 'pass', detail: `${node.engineVersion}, like every node`}
  const common = [...versions].sort((a, b) => b[1].length - a[1].length)[0][0]
  if (node.engineVersion === common) return {name: 'engine', status: 'pass', detail: node.engineVersion}
  return {name: 'engine', status: 'warn', detail: `${node.engineVersion}, while most nodes run ${common}`, hint: 'mixed engine versions can disagree on overlay and mesh behaviour; upgrade to one version'}
}

/**
 * Nodes whose own 7946 checks fail (a firewall rule drops it, or peers cannot connect). The views
 * change as the gossip decays (first a view goes stale, later the others lose the node's tasks);
 * the firewall and the probes do not, so the hint rests on them where they say something.
 */
function gossipBlocked(context: Context): Set<string> {
  const blocked = context.reached.filter((r) => r.facts && portChecks(r, context).some((c) => c.name.startsWith('port 7946') && c.status === 'fail'))
  return new Set(blocked.map((r) => r.node.hostname))
}

export function consistencyCheck(r: Reached, context: Context): Check {
  const mine = context.views.filter((v) => v.node === r.node.hostname)
  if (mine.length === 0) return {name: 'consistency', status: 'skip', detail: 'no running task on an overlay here, so no view of one'}
  const missing = mine.flatMap((v) => v.missing.map((m) => `${m.task} ${m.ip} on ${m.node} (${v.network})`))
  const stale = mine.flatMap((v) => v.stale.map((ip) => `${ip} (${v.network})`))
  // Which nodes' tasks this view lacks; if they are all one other node's, that node may be the one cut off.
  const lackedNodes = [...new Set(mine.flatMap((v) => v.missing.map((m) => m.node)))]
  const missedByOthers = context.views.filter((v) => v.node !== r.node.hostname && v.missing.some((m) => m.node === r.node.hostname))
  const cutOff = missedByOthers.length > 0 && missedByOthers.length === new Set(context.views.filter((v) => v.node !== r.node.hostname).map((v) => v.node)).size
  if (missing.length === 0 && stale.length === 0 && !cutOff) return {name: 'consistency', status: 'pass', detail: `its view of ${mine.map((v) => v.network).join(', ')} matches the manager's tasks`}
  const detail = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', stale.length > 0 ? `stale ${stale.join(', ')}` : ''].filter(Boolean).join('; ') || "the other nodes do not see this node's tasks"
  const blocked = gossipBlocked(context)
  if (blocked.has(r.node.hostname)) return {name: 'consistency', status: 'fail', detail, hint: 'this node is cut off from the gossip: its 7946 checks fail (above); open 7946/tcp+udp to and from it'}
  const blockedElsewhere = lackedNodes.filter((n) => blocked.has(n))
  if (blockedElsewhere.length > 0 && blockedElsewhere.length === lackedNodes.length) {
    return {name: 'consistency', status: 'warn', detail, hint: `${blockedElsewhere.join(', ')} ${blockedElsewhere.length === 1 ? 'is' : 'are'} cut off from the gossip: 7946 fails there (see ${blockedElsewhere.length === 1 ? 'its row' : 'their rows'})`}
  }

  // No firewall rule or failed probe explains it: the views are all there is to go on.
  if (cutOff && missing.length === 0 && stale.length === 0) return {name: 'consistency', status: 'fail', detail, hint: 'this node is cut off from the gossip: open 7946/tcp+udp to and from it'}
  const hint = cutOff
    ? 'this node is cut off from the gossip (7946/tcp+udp): its view is stale, and the others do not see its tasks; open 7946 to and from it'
    : lackedNodes.length === 1 ? `it lacks only ${lackedNodes[0]}'s tasks: ${lackedNodes[0]} is probably the node cut off from the gossip (7946)` : 'gossip (7946/tcp+udp) is not reaching this node: check the firewall'
  return {name: 'consistency', status: cutOff || lackedNodes.length !== 1 ? 'fail' : 'warn', detail, hint}
}
