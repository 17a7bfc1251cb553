import type {NetworkSummary, SwarmNode} from '../docker/engine.js'
import {taskName} from '../docker/tasks.js'
import type {Check, Context, Reached} from './checks.js'

// The overlays' data plane as each node's kernel holds it (VXLAN forwarding and neighbour entries,
// the addresses in its sandboxes), against where the manager runs each task: moby/moby#52661, #33795.

/** One overlay's namespace on a node: its VXLAN forwarding (FDB) and neighbour entries. */
export interface OverlayNamespace {
  /** "1-z4xj4o4g75": "1-" and the first ten characters of the network's id. */
  name: string
  /** Where it lives on the node: <dockerd's exec root>/netns/<name>. */
  path: string
  /** Remote entries only (those with a dst): a MAC sent over VXLAN to a node's address. */
  fdb: {mac: string; dev: string; dst: string}[]
  /** ARP entries on the VXLAN devices: an overlay address → the MAC it is sent to. */
  neighbours: {ip: string; dev: string; mac: string}[]
}

/** A container's, load balancer's or the ingress sandbox's namespace on a node, with its IPv4 addresses. */
export interface Sandbox {
  name: string
  addresses: {ip: string; iface: string; mac?: string}[]
}

export interface DataPlane {
  /** dockerd's --exec-root on the node (default /var/run/docker). */
  execRoot: string
  overlays: OverlayNamespace[]
  sandboxes: Sandbox[]
}

/** A change doctor --fix may make: one command, run as root on the node. */
export interface Repair {
  node: string
  network: string
  /** What is wrong, one line. */
  problem: string
  /** The command that puts it right, run as root on the node. */
  command: string
}

/**
 * The node script's section: finds dockerd's exec root (the dockerd in this network namespace; the
 * lab's run with their own), then prints each overlay namespace's entries and each sandbox's addresses.
 */
/**
 * Sets $er to the exec root of the dockerd in this network namespace (its --exec-root, else
 * /var/run/docker), where its sandboxes' namespaces are: a node that runs dockerd with another
 * exec root (the lab's nodes do) keeps them elsewhere.
 */
export const EXEC_ROOT = String.raw`
er=/var/run/docker
self=$(readlink /proc/self/ns/net)
for p in /proc/[0-9]*; do
  [ "$(cat $p/comm 2>/dev/null)" = dockerd ] || continue
  [ "$(asroot readlink $p/ns/net 2>/dev/null)" = "$self" ] || continue
  r=$(tr '\0' '\n' < $p/cmdline 2>/dev/null | sed -n -e '/^--exec-root=/{s/^--exec-root=//p;q;}' -e '/^--exec-root$/{n;p;q;}')
  [ -n "$r" ] && er=$r
done
`

export const DATAPLANE_SECTION = String.raw`
section dataplane
echo "root $er"
for f in $er/netns/*; do
  [ -e "$f" ] || continue
  n=$[f##*/}
  case $n in
    1-*) echo "--- overlay $n"; asroot nsenter --net="$f" sh -c 'for d in $(ip -o link show type vxlan | sed -n "s/^[0-9]*: \([^:@]*\).*/\1/p"); do echo "-- dev $d"; bridge fdb show dev $d; done; echo "-- neigh"; ip neigh show' 2>/dev/null ;;
    *) echo "--- sandbox $n"; asroot nsenter --net="$f" sh -c 'ip -o -4 addr show; ip -o link show' 2>/dev/null ;;
  esac
done
`

export function parseDataPlane(text: string): DataPlane | undefined {
  const root = /^root (\S+)$/m.exec(text)
  if (!root) return undefined
  const overlays: OverlayNamespace[] = []
  const sandboxes: Sandbox[] = []
  for (const part of text.split(/^--- /m).slice(1)) {
    const [head, ...lines] = part.split('\n')
    const [kind, name] = head.trim().split(' ')
    const body = lines.join('\n')
    if (kind === 'overlay') {
      const [fdb, neigh = ''] = body.split(/^-- neigh$/m)
      overlays.push({
        name,
        path: `${root[1]}/netns/${name}`,
        // `bridge fdb show dev D` leaves "dev D" out of its lines: each device's lines follow its marker.
        fdb: fdb.split(/^-- dev /m).slice(1).flatMap((lines) => {
          const dev = lines.slice(0, lines.indexOf('\n')).trim()
          return [...lines.matchAll(/^([\da-f:]{17}) .*?\bdst (\S+)/gm)].filter((m) => m[1] !== '00:00:00:00:00:00').map((m) => ({mac: m[1], dev, dst: m[2]}))
        }),
        neighbours: [...neigh.matchAll(/^([\d.]+) dev (\S+) lladdr ([\da-f:]{17})/gm)].map((m) => ({ip: m[1], dev: m[2], mac: m[3]})),
      })
    } else if (kind === 'sandbox') {
      const macs = new Map([...body.matchAll(/^\d+:\s+([^:@\s]+)[^\n]*?link\/ether ([\da-f:]{17})/gm)].map((m) => [m[1], m[2]]))
      const addresses = [...body.matchAll(/^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//gm)].filter((m) => m[1] !== 'lo').map((m) => ({ip: m[2], iface: m[1], ...(macs.has(m[1]) ? {mac: macs.get(m[1])} : {})}))
      sandboxes.push({name, addresses})
    }
  }

  return {execRoot: root[1], overlays, sandboxes}
}

/** Docker's overlay endpoints take a MAC made of their address (02:42 then the four bytes). */
export function macOf(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':')
}

export function ipOfMac(mac: string): string | undefined {
  const bytes = mac.toLowerCase().split(':')
  return bytes.length === 6 && bytes[0] === '02' && bytes[1] === '42' ? bytes.slice(2).map((b) => Number.parseInt(b, 16)).join('.') : undefined
}

function inSubnet(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/')
  const n = (a: string) => a.split('.').reduce((acc, b) => acc * 256 + Number(b), 0)
  const size = 2 ** (32 - Number(bits))
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size)
}

/** Who holds an overlay address: the task the manager gave it to, and the nodes whose sandboxes hold it. */
interface Holder {
  task?: string
  /** The nodes the manager runs a task with this address on (two: the manager itself gave it twice). */
  taskNodes: SwarmNode[]
  /** Reached nodes whose sandboxes hold it, with the MAC it has there. */
  sandboxNodes: {node: SwarmNode; mac?: string}[]
}

function holders(network: NetworkSummary, context: Context): Map<string, Holder> {
  const nodes = new Map(context.allNodes.map((n) => [n.id, n]))
  const services = new Map(context.services.map((s) => [s.id, s]))
  const byIp = new Map<string, Holder>()
  const entry = (ip: string) => byIp.get(ip) ?? byIp.set(ip, {taskNodes: [], sandboxNodes: []}).get(ip)!
  for (const task of context.tasks) {
    const node = nodes.get(task.nodeId)
    for (const a of task.addresses.filter((x) => x.networkId === network.id)) {
      const holder = entry(a.address)
      const service = services.get(task.serviceId)
      holder.task ??= service ? taskName(service, task, nodes) : task.id.slice(0, 12)
      if (node && !holder.taskNodes.includes(node)) holder.taskNodes.push(node)
    }
  }

  for (const r of context.reached) {
    for (const sandbox of r.facts?.dataPlane?.sandboxes ?? []) {
      for (const a of sandbox.addresses.filter((x) => network.subnets.some((s) => inSubnet(x.ip, s.subnet)))) entry(a.ip).sandboxNodes.push({node: r.node, ...(a.mac ? {mac: a.mac} : {})})
    }
  }

  return byIp
}

/** The node an address should be sent to: the manager's task's, else the one reached node whose sandbox holds it. */
function homeOf(holder: Holder | undefined): SwarmNode | undefined {
  if (!holder) return undefined
  if (holder.taskNodes.length === 1) return holder.taskNodes[0]
  const nodes = [...new Set(holder.sandboxNodes.map((s) => s.node))]
  return holder.taskNodes.length === 0 && nodes.length === 1 ? nodes[0] : undefined
}

/**
 * Per overlay namespace on this node: forwarding entries that send an address's MAC to a node other
 * than the one it runs on, neighbour entries that give an address a MAC it does not have, and addresses
 * this node's sandboxes hold that the swarm gave to a task elsewhere (or to two tasks).
 */
export function fdbCheck(r: Reached, context: Context): Check {
  const plane = r.facts!.dataPlane
  if (!plane) return {name: 'fdb', status: 'skip', detail: 'could not read the overlay namespaces (nsenter, bridge and ip are needed, as root)'}
  const overlays = context.networks.filter((n) => n.driver === 'overlay')
  const problems: string[] = []
  const duplicates: string[] = []
  const repairs: Repair[] = []
  let entries = 0
  for (const ns of plane.overlays) {
    const network = overlays.find((n) => n.id.startsWith(ns.name.slice(2)))
    if (!network) continue
    const byIp = holders(network, context)
    const where = (ip: string, home: SwarmNode) => `${byIp.get(ip)?.task ?? 'the endpoint'} ${ip} (on ${home.hostname}, ${home.address})`
    const run = (command: string) => `nsenter --net=${ns.path} ${command}`
    for (const entry of ns.fdb) {
      entries++
      const ip = ipOfMac(entry.mac) ?? [...byIp].find(([, h]) => h.sandboxNodes.some((s) => s.mac === entry.mac))?.[0]
      const home = ip ? homeOf(byIp.get(ip)) : undefined
      if (!ip || !home || home.id === r.node.id || home.address === entry.dst) continue
      const problem = `${network.name}: ${where(ip, home)} is sent to ${entry.dst}`
      problems.push(problem)
      repairs.push({node: r.node.hostname, network: network.name, problem, command: run(`bridge fdb replace ${entry.mac} dev ${entry.dev} dst ${home.address} self permanent`)})
    }

    for (const neighbour of ns.neighbours) {
      entries++
      const holder = byIp.get(neighbour.ip)
      const home = homeOf(holder)
      if (!home || home.id === r.node.id) continue
      const mac = holder!.sandboxNodes.find((s) => s.node.id === home.id)?.mac ?? macOf(neighbour.ip)
      if (mac === neighbour.mac) continue
      const problem = `${network.name}: ${where(neighbour.ip, home)} has MAC ${mac}, but the neighbour entry says ${neighbour.mac}`
      problems.push(problem)
      repairs.push({node: r.node.hostname, network: network.name, problem, command: run(`ip neigh replace ${neighbour.ip} lladdr ${mac} dev ${neighbour.dev} nud permanent`)})
    }

    for (const [ip, holder] of byIp) {
      const here = holder.sandboxNodes.filter((s) => s.node.id === r.node.id).length
      const elsewhere = [...new Set([...holder.taskNodes, ...holder.sandboxNodes.map((s) => s.node)].filter((n) => n.id !== r.node.id).map((n) => n.hostname))]
      if (holder.taskNodes.length > 1 && holder.taskNodes.some((n) => n.id === r.node.id)) duplicates.push(`${network.name}: ${ip} is given to tasks on ${holder.taskNodes.map((n) => n.hostname).join(' and ')}`)
      else if (here > 1) duplicates.push(`${network.name}: ${ip} is held by ${here} sandboxes here`)
      else if (here === 1 && elsewhere.length > 0 && !holder.taskNodes.some((n) => n.id === r.node.id)) duplicates.push(`${network.name}: ${ip} is held here and on ${elsewhere.join(', ')}${holder.task ? ` (the swarm gave it to ${holder.task})` : ''}`)
    }
  }

  const stale = problems.length > 0 ? `stale ${problems.join('; ')}` : ''
  const duplicated = duplicates.length > 0 ? `duplicate ${duplicates.join('; ')}` : ''
  if (stale || duplicated) {
    const hints = [
      ...(repairs.length > 0 ? [`swarmnet doctor --fix replaces ${repairs.length === 1 ? 'it' : 'them'}, or run on ${r.node.hostname}: ${repairs.map((x) => x.command).join(' && ')}`] : []),
      ...(duplicates.length > 0 ? ['two endpoints answer for one address: restart the task that should not have it (docker service update --force SERVICE), or remove the address from the container that took it'] : []),
    ]
    return {name: 'fdb', status: 'fail', detail: [stale, duplicated].filter(Boolean).join('; '), hint: hints.join('; '), ...(repairs.length > 0 ? {repairs} : {})}
  }

  if (plane.overlays.length === 0) return {name: 'fdb', status: 'skip', detail: 'no overlay namespace on this node'}
  return {name: 'fdb', status: 'pass', detail: `${entries} forwarding and neighbour entries in ${plane.overlays.length} overlay(s) match where the tasks run`}
}
