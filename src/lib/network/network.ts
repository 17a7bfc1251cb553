import {BlockList, isIP} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import type {Engine, NetworkDetail, NetworkSpec, NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError} from '../core/errors.js'
import {chooseOne} from '../ui/interactive.js'
import {checkDockerName} from '../core/input.js'
import {taskName} from '../docker/tasks.js'
import {type CapacityCounts, type NetworkCapacity, networkCapacity, tallyNetworks} from './capacity.js'

/** An overlay network with the services attached to it. */
export interface OverlayNetwork extends NetworkSummary {
  services: string[]
}

/** An overlay as `network ls` lists it: with its address use (see capacity.ts for what is counted). */
export interface ListedOverlay extends OverlayNetwork {
  capacity: CapacityCounts
}

/** The swarm's overlay networks, each with the names of the services attached and its address use. */
export async function listOverlays(engine: Engine): Promise<ListedOverlay[]> {
  const [networks, services, nodes, tasks] = await Promise.all([engine.listNetworks(), engine.listServices(), engine.listNodes(), engine.listTasks()])
  const overlays = networks.filter((n) => n.driver === 'overlay')
  const used = tallyNetworks(overlays, {nodes, services, tasks})
  // Each network's services from one pass over the services, not one per network.
  const attached = new Map<string, string[]>(overlays.map((n) => [n.id, []]))
  for (const s of services) for (const id of new Set(s.networks.map((a) => a.id))) attached.get(id)?.push(s.name)
  return overlays.map((n, i) => ({...n, services: attached.get(n.id)!, capacity: used[i].counts}))
}

/** Checks a network spec before anything is sent: name, subnet, gateway inside it, MTU range. */
export function validateNetworkSpec(spec: NetworkSpec): void {
  checkDockerName(spec.name, 'network name', 'letters, digits, "_", "." or "-", starting with a letter or digit')
  if (spec.subnet !== undefined) parseCidr(spec.subnet)
  if (spec.gateway !== undefined) {
    if (spec.subnet === undefined) throw new UsageError('--gateway needs --subnet')
    if (!isIP(spec.gateway)) throw new UsageError(`invalid --gateway "${spec.gateway}": expected an IP address`)
    if (!cidrContains(spec.subnet, spec.gateway)) throw new UsageError(`invalid --gateway "${spec.gateway}": not inside --subnet ${spec.subnet}`)
  }

  if (spec.mtu !== undefined && (!Number.isInteger(spec.mtu) || spec.mtu < 68 || spec.mtu > 65_535)) {
    throw new UsageError(`invalid --mtu "${spec.mtu}": expected a whole number from 68 to 65535`)
  }
}

/** Creates an overlay network (its spec checked by validateNetworkSpec, before connecting), refusing a name already taken (by any driver) with what holds it, or an overlapping subnet. */
export async function createOverlay(engine: Engine, spec: NetworkSpec, settleMs = 10_000): Promise<OverlayNetwork> {
  const networks = await engine.listNetworks()
  const existing = networks.find((n) => n.name === spec.name)
  if (existing) throw new SwarmnetError(`network "${spec.name}" already exists (${existing.driver}, ${existing.scope} scope, id ${existing.id.slice(0, 12)})`)
  // The manager accepts an overlapping subnet, then leaves the network with no address pool at all.
  const clash = spec.subnet === undefined ? undefined : networks.flatMap((n) => n.subnets.map((s) => ({n, s}))).find(({s}) => cidrsOverlap(spec.subnet!, s.subnet))
  if (clash) throw new SwarmnetError(`--subnet ${spec.subnet} overlaps network "${clash.n.name}" (${clash.s.subnet}): choose a free range`)
  const id = await engine.createNetwork(spec)
  return {...(await allocated(engine, id, spec.name, settleMs)), services: []}
}

/**
 * The created network once the manager's allocator has given it an address pool, which it does just
 * after answering the create (later on a busy manager). A pool that never comes means the allocator
 * refused it: the unusable network is removed again, so a failed create leaves nothing behind.
 */
async function allocated(engine: Engine, id: string, name: string, settleMs: number): Promise<NetworkDetail> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const network = await engine.inspectNetwork(id)
    if (network.subnets.length > 0) return network
    if (Date.now() >= deadline) break
    await sleep(100)
  }

  await engine.removeNetwork(id).catch(() => {})
  throw new SwarmnetError(`the manager created network "${name}" but gave it no address pool within ${settleMs / 1000}s (its allocator refused the subnet), so it was removed again`)
}

export interface NetworkTaskView {
  service: string
  task: string
  node: string
  ip: string
  state: string
}

export interface NetworkInspection {
  network: NetworkDetail
  peers: {name: string; ip: string}[]
  services: {name: string; endpointMode: string; vip?: string; tasks: NetworkTaskView[]}[]
  /** Its addresses: subnets' sizes, VIPs, task addresses, load-balancer endpoints, free. */
  capacity: NetworkCapacity
}

/**
 * A network as `docker network inspect --verbose` shows it, but cluster-wide: the manager only sees
 * tasks on its own node, so services and task IPs come from the swarm's task list, and peers from the
 * nodes that run those tasks when the manager has no view of its own.
 */
export async function inspectOverlay(engine: Engine, ref: string): Promise<NetworkInspection> {
  const network = await findNetwork(engine, ref)
  const [detail, services, allTasks, nodes] = await Promise.all([
    engine.inspectNetwork(network.id, {verbose: true}),
    engine.listServices(),
    engine.listTasks(),
    engine.listNodes(),
  ])
  const tasks = allTasks.filter((t) => t.desiredState === 'running')
  const attached = services.filter((s) => s.networks.some((a) => a.id === network.id))
  const hostnames = new Map(nodes.map((n) => [n.id, n]))
  const views = attached.map((service) => ({
    name: service.name,
    endpointMode: service.endpointMode,
    vip: service.networks.find((a) => a.id === network.id)?.vip,
    tasks: tasksOn(network.id, service, tasks, hostnames),
  }))
  // The engine names peers by its own id; the node's hostname is what an operator knows.
  const byAddress = new Map(nodes.map((n) => [n.address, n.hostname]))
  const peers = detail.peers.length > 0 ? detail.peers.map((p) => ({name: byAddress.get(p.ip) ?? p.name, ip: p.ip})) : derivedPeers(views, hostnames)
  return {network: detail, peers, services: views, capacity: networkCapacity(network, {nodes, services, tasks: allTasks})}
}

/** The NAME argument of `network inspect`, chosen from the overlays on a terminal. */
export async function pickOverlay(engine: Engine, json: boolean): Promise<string> {
  const overlays = (await engine.listNetworks()).filter((n) => n.driver === 'overlay')
  return chooseOne({message: 'Which network?', answeredBy: 'argument NAME', json, choices: overlays.map((n) => ({name: `${n.name}  ${n.subnets.map((s) => s.subnet).join(', ')}`, value: n.name}))})
}

async function findNetwork(engine: Engine, ref: string): Promise<NetworkSummary> {
  const overlays = (await engine.listNetworks()).filter((n) => n.driver === 'overlay')
  const found = overlays.find((n) => n.name === ref || n.id === ref) ?? uniquePrefix(overlays, ref)
  if (!found) throw new UsageError(`unknown overlay network "${ref}"; overlay networks are ${overlays.map((n) => n.name).join(', ') || 'none'}`)
  return found
}

function uniquePrefix(networks: NetworkSummary[], ref: string): NetworkSummary | undefined {
  const matches = networks.filter((n) => ref.length >= 3 && n.id.startsWith(ref))
  return matches.length === 1 ? matches[0] : undefined
}

function tasksOn(networkId: string, service: ServiceSummary, tasks: TaskSummary[], nodes: Map<string, SwarmNode>): NetworkTaskView[] {
  return tasks
    .filter((t) => t.serviceId === service.id)
    .flatMap((t) =>
      t.addresses
        .filter((a) => a.networkId === networkId)
        .map((a) => ({
          service: service.name,
          task: taskName(service, t, nodes),
          node: nodes.get(t.nodeId)?.hostname ?? t.nodeId,
          ip: a.address,
          state: t.state,
        })),
    )
    .sort((a, b) => a.task.localeCompare(b.task, undefined, {numeric: true}))
}

function derivedPeers(views: NetworkInspection['services'], nodes: Map<string, SwarmNode>): {name: string; ip: string}[] {
  const byName = new Map([...nodes.values()].map((n) => [n.hostname, n]))
  const names = [...new Set(views.flatMap((v) => v.tasks.map((t) => t.node)))].sort()
  return names.map((name) => ({name, ip: byName.get(name)?.address ?? ''}))
}

/** Parses "10.0.9.0/24" (or IPv6); a malformed one is a usage error naming it. */
export function parseCidr(cidr: string): {address: string; prefix: number; family: 4 | 6} {
  const [address, prefixText, extra] = cidr.split('/')
  const family = isIP(address ?? '')
  const prefix = Number(prefixText)
  const max = family === 6 ? 128 : 32
  if (extra !== undefined || family === 0 || !/^\d+$/.test(prefixText ?? '') || prefix < 1 || prefix > max) {
    throw new UsageError(`invalid --subnet "${cidr}": expected CIDR notation like 10.0.9.0/24`)
  }

  return {address, prefix, family: family as 4 | 6}
}

/** Two ranges overlap when one holds the other's address (CIDR blocks either nest or are apart). */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b.split('/')[0]) || cidrContains(b, a.split('/')[0])
}

function cidrContains(cidr: string, ip: string): boolean {
  const {address, prefix, family} = parseCidr(cidr)
  if (isIP(ip) !== family) return false
  const type = family === 4 ? 'ipv4' : 'ipv6'
  const range = new BlockList()
  range.addSubnet(address, prefix, type)
  return range.check(ip, type)
}
