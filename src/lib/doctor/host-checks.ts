import type {SwarmSettings} from '../docker/engine.js'
import {cidrsOverlap} from '../network/network.js'
import type {Check, Context, Reached} from './checks.js'
import type {HostFacts, Route} from './host.js'
import {evaluate, inCidr} from './iptables.js'

// The checks of a node's host side (host.ts reads it): pure, one Check each.

/** Devices Docker makes and routes through itself: their routes are Docker's own, not conflicts. */
const DOCKER_DEVICES = /^(docker_gwbridge|docker0|br-[0-9a-f]+|veth\w*|vxlan\w*|ov-\w+)$/

/** The pool's low end: the allocator hands out the lowest free subnets first, so these come next. */
export function nextFromPool(pool: string, subnetSize: number): string {
  const [base, bits] = pool.split('/')
  return `${base}/${Math.min(subnetSize, Math.max(Number(bits), subnetSize - 8))}`
}

/**
 * Host routes that overlap what Docker routes itself: docker_gwbridge's subnet, an overlay's, or
 * the part of the swarm's default address pool the next overlays get (moby#24046, #27890, #37823;
 * docker/for-linux#1422). Traffic to the range goes one way or the other, never both.
 */
export function routesCheck(r: Reached, context: Pick<Context, 'networks' | 'swarm'>): Check {
  const host = r.facts?.host
  if (!host) return {name: 'routes', status: 'skip', detail: 'the node printed no routes'}
  const gwbridge = host.routes.find((route) => route.dev === 'docker_gwbridge' && route.type === 'unicast')?.destination
  const overlays = context.networks.filter((n) => n.driver === 'overlay').flatMap((n) => n.subnets.filter((s) => s.subnet.includes('.')).map((s) => ({network: n, subnet: s.subnet})))
  const foreign = host.routes.filter((route) => !(route.dev && DOCKER_DEVICES.test(route.dev)) && !route.destination.endsWith('/0'))
  const conflicts: string[] = []
  const hints = new Set<string>()
  for (const route of foreign) {
    const what = describe(route)
    if (gwbridge && overlap(route.destination, gwbridge)) {
      conflicts.push(`${what} overlaps docker_gwbridge (${gwbridge})`)
      hints.add(`move docker_gwbridge off it (stop Docker, delete docker_gwbridge, recreate it with \`docker network create --subnet <free range> --opt com.docker.network.bridge.name=docker_gwbridge --opt com.docker.network.bridge.enable_icc=false --opt com.docker.network.bridge.enable_ip_masquerade=true docker_gwbridge\`, start Docker; or set "default-address-pools" in daemon.json before it is made), or move the route`)
    }

    for (const {network, subnet} of overlays.filter((o) => overlap(route.destination, o.subnet))) {
      conflicts.push(`${what} overlaps overlay ${network.name} (${subnet})`)
      hints.add(`recreate ${network.name} with a --subnet clear of ${route.destination}, or move the route`)
    }
  }

  const pool = context.swarm ? poolConflicts(foreign, context.swarm) : []
  if (pool.length > 0) hints.add('the next overlays get subnets from the pool: create them with --subnet clear of the route, or give the swarm another pool (`docker swarm init --default-addr-pool <range> --default-addr-pool-mask-length <n>`, at init only)')
  if (conflicts.length + pool.length > 0) return {name: 'routes', status: conflicts.length > 0 ? 'fail' : 'warn', detail: [...conflicts, ...pool].join('; '), hint: [...hints].join('; ')}
  return {name: 'routes', status: 'pass', detail: `no route overlaps docker_gwbridge${gwbridge ? ` (${gwbridge})` : ''}, an overlay or the next of the address pool`}
}

function poolConflicts(routes: Route[], swarm: SwarmSettings): string[] {
  return routes.flatMap((route) => swarm.defaultAddrPool.filter((p) => p.includes('.')).flatMap((pool) => {
    const next = nextFromPool(pool, swarm.subnetSize)
    return overlap(route.destination, next) ? [`${describe(route)} overlaps ${next}, where the swarm's address pool ${pool} (/${swarm.subnetSize} each) gives the next overlays their subnets`] : []
  }))
}

function overlap(a: string, b: string): boolean {
  try {
    return cidrsOverlap(a, b)
  } catch {
    return false
  }
}

const prefixOf = (route: Route) => Number(route.destination.split('/')[1])

function describe(route: Route): string {
  const kind = route.type === 'unicast' ? 'route' : `${route.type} route`
  return `${kind} ${route.destination}${route.via ? ` via ${route.via}` : ''}${route.dev ? ` dev ${route.dev}` : ''}${route.table ? ` (table ${route.table})` : ''}`
}

/** A port Docker publishes on this node: the nat table's DNAT to a container (host mode) or to ingress_sbox (the mesh). */
export interface Published {
  protocol: 'tcp' | 'udp'
  port: number
  to: string
  toPort: number
  mesh: boolean
}

export function publishedPorts(iptablesSave: string): Published[] {
  const nat = /^\*nat$([\s\S]*?)^COMMIT$/m.exec(iptablesSave)?.[1] ?? ''
  return [...nat.matchAll(/^-A (DOCKER|DOCKER-INGRESS) .*?-p (tcp|udp)\b.*?--dport (\d+)\b.*?-j DNAT --to-destination ([\d.]+):(\d+)/gm)].map((m) => ({
    protocol: m[2] as 'tcp' | 'udp', port: Number(m[3]), to: m[4], toPort: Number(m[5]), mesh: m[1] === 'DOCKER-INGRESS',
  }))
}

/**
 * Published ports pass FORWARD (and DOCKER-USER, which FORWARD jumps to) after DNAT, on their way
 * to a container or to ingress_sbox on docker_gwbridge: a DROP there makes the port unreachable
 * from outside while the service looks healthy.
 */
export function forwardCheck(r: Reached, context: Pick<Context, 'allNodes'>): Check {
  const facts = r.facts
  if (!facts?.iptables || !r.table) return {name: 'forward', status: 'skip', detail: 'iptables could not be read'}
  const published = publishedPorts(facts.iptables)
  if (published.length === 0) return {name: 'forward', status: 'skip', detail: 'no port is published on this node'}
  const iface = facts.addresses.get(r.node.address) ?? ''
  const peers = context.allNodes.filter((n) => n.id !== r.node.id && n.address)
  // Without peers, someone outside (a documentation address) stands for the clients.
  const sources = peers.length > 0 ? peers.map((n) => ({name: n.hostname, ip: n.address})) : [{name: 'outside', ip: '198.51.100.1'}]
  const blocked: string[] = []
  const rules = new Set<string>()
  for (const p of published) {
    // The most specific route to the container is the one the kernel takes.
    const routes = (facts.host?.routes ?? []).filter((route) => route.dev && inCidr(p.to, route.destination))
    const outIface = routes.sort((a, b) => prefixOf(b) - prefixOf(a))[0]?.dev ?? 'docker_gwbridge'
    const byRule = new Map<string, string[]>()
    for (const source of sources) {
      const verdict = evaluate(r.table, {chain: 'FORWARD', protocol: p.protocol, port: p.toPort, peer: source.ip, local: r.node.address, iface, destination: p.to, outIface})
      if (!verdict.accepted) byRule.set(verdict.by, [...(byRule.get(verdict.by) ?? []), source.name])
    }

    for (const [rule, names] of byRule) {
      blocked.push(`FORWARD drops ${p.protocol} ${p.port} (published${p.mesh ? ' through the mesh' : ''}, to ${p.to}:${p.toPort}) from ${names.join(', ')} (${rule})`)
      rules.add(rule)
    }
  }

  if (blocked.length > 0) {
    const removals = [...rules].filter((rule) => rule.startsWith('-A ')).map((rule) => `iptables -D ${rule.slice(3)}`)
    return {
      name: 'forward', status: 'fail', detail: blocked.join('; '),
      hint: `FORWARD and DOCKER-USER see the packet after DNAT (the container's address and port): ${removals.length > 0 ? `remove the rule (${removals.join('; ')})` : 'restore Docker\'s ACCEPT rules (restart dockerd)'} or put an ACCEPT for it above, in DOCKER-USER`,
    }
  }

  return {name: 'forward', status: 'pass', detail: `FORWARD and DOCKER-USER let in the ports published here (${[...new Set(published.map((p) => `${p.port}/${p.protocol}`))].join(', ')})`}
}

/** How full a kernel table is: warn from 80%, fail when full. */
function fill(count: number, limit: number): 'pass' | 'warn' | 'fail' {
  return count >= limit ? 'fail' : count >= 0.8 * limit ? 'warn' : 'pass'
}

/** A kernel log line this recent is today's trouble; an older one, a warning (moby#8795, #36878, #32195). */
const RECENT_SECONDS = 3600

/** The conntrack and neighbour tables against their limits, and their overflows in the kernel log. */
export function tablesCheck(host: HostFacts | undefined): Check {
  if (!host || (!host.conntrack && !host.neighbours?.thresholds && host.overflows.length === 0)) return {name: 'tables', status: 'skip', detail: 'the node shows neither its conntrack nor its neighbour table limits'}
  const problems: {status: 'warn' | 'fail'; text: string; hint: string}[] = []
  const notes: string[] = []
  if (host.conntrack && host.conntrack.max > 0) {
    const {count, max} = host.conntrack
    const status = fill(count, max)
    const text = `conntrack ${count} of ${max} entries (${Math.round((100 * count) / max)}%)`
    if (status === 'pass') notes.push(text)
    else problems.push({status, text, hint: `raise it: sysctl -w net.netfilter.nf_conntrack_max=${max * 2} (and in /etc/sysctl.d/ to keep it)`})
  }

  const neighbours = host.neighbours
  if (neighbours?.thresholds) {
    const [t1, t2, t3] = neighbours.thresholds
    const status = fill(neighbours.count, t3)
    const text = `neighbour table ${neighbours.count} entries, gc_thresh3 ${t3}`
    if (status === 'pass') notes.push(text)
    else problems.push({status, text, hint: `raise the thresholds: sysctl -w net.ipv4.neigh.default.gc_thresh1=${t1 * 4} net.ipv4.neigh.default.gc_thresh2=${t2 * 4} net.ipv4.neigh.default.gc_thresh3=${t3 * 4}`})
  }

  for (const overflow of host.overflows) {
    const age = overflow.at !== undefined && host.uptime !== undefined ? host.uptime - overflow.at : undefined
    const recent = age === undefined || age <= RECENT_SECONDS
    const table = /conntrack/.test(overflow.line) ? 'net.netfilter.nf_conntrack_max' : 'net.ipv4.neigh.default.gc_thresh1..3'
    problems.push({status: recent ? 'fail' : 'warn', text: `the kernel log says "${overflow.line.replace(/^\[\s*[\d.]+\]\s*/, '')}"${age === undefined ? '' : ` ${Math.round(age)} s ago`}`, hint: `the kernel dropped packets: raise ${table}`})
  }

  if (problems.length === 0) return {name: 'tables', status: 'pass', detail: notes.join('; ')}
  return {name: 'tables', status: problems.some((p) => p.status === 'fail') ? 'fail' : 'warn', detail: [...problems.map((p) => p.text), ...notes].join('; '), hint: [...new Set(problems.map((p) => p.hint))].join('; ')}
}

/** IPVS forgets an idle TCP connection after its tcp timeout; keepalives sent less often do not save it (moby#31208, #37466). */
export function keepaliveCheck(host: HostFacts | undefined): Check {
  const timeouts = host?.ipvsTimeouts ?? []
  if (timeouts.length === 0 || host?.keepalive === undefined) return {name: 'keepalive', status: 'skip', detail: 'no ipvsadm here to read IPVS\'s idle timeout with'}
  const short = timeouts.filter((t) => t.tcp <= host.keepalive!)
  if (short.length === 0) return {name: 'keepalive', status: 'pass', detail: `tcp_keepalive_time ${host.keepalive} s is below IPVS's idle timeout (${timeouts.map((t) => `${t.namespace} ${t.tcp} s`).join(', ')})`}
  return {
    name: 'keepalive', status: 'warn',
    detail: `IPVS drops TCP connections idle for ${[...new Set(short.map((t) => t.tcp))].join('/')} s (${short.map((t) => t.namespace).join(', ')}), before the first keepalive at ${host.keepalive} s`,
    hint: `idle connections through a VIP or the mesh break silently: have the services send keepalives sooner (docker service update --sysctl net.ipv4.tcp_keepalive_time=${Math.max(60, Math.min(...short.map((t) => t.tcp)) - 300)} <service>) or use --endpoint-mode dnsrr`,
  }
}

/** VMware's vmxnet3 with checksum offload corrupts VXLAN: small packets pass, large ones vanish (moby#41775, #33416). */
export function offloadCheck(r: Reached): Check {
  const nics = r.facts?.host?.nics ?? []
  const underlay = r.facts?.addresses.get(r.node.address)
  const nic = nics.find((n) => n.iface === underlay)
  if (!nic) return {name: 'offload', status: 'skip', detail: `${underlay ?? 'the underlay'} has no device driver to check (virtual)`}
  if (nic.driver !== 'vmxnet3') return {name: 'offload', status: 'pass', detail: `${nic.iface}: ${nic.driver}`}
  const on = ['tx-checksum-ip-generic', 'tx-checksumming'].filter((f) => nic.features[f] === 'on')
  if (on.length === 0) return {name: 'offload', status: 'pass', detail: `${nic.iface}: vmxnet3, checksum offload off`}
  return {name: 'offload', status: 'warn', detail: `${nic.iface} is a vmxnet3 NIC with ${on.join(', ')} on: VXLAN packets can leave with bad checksums`, hint: `ethtool -K ${nic.iface} tx-checksum-ip-generic off (and make it persistent); if NSX holds 4789/udp, give the swarm another --data-path-port`}
}
