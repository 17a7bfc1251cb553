import {isIP} from 'node:net'

import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {taskName} from '../docker/tasks.js'

// An overlay's addresses, pure: how many its subnets give, and who holds them. What is counted:
// - usable: per subnet, its size less the network and broadcast addresses (IPv4) and the gateway;
// - a VIP per service attached in endpoint mode vip (ingress too, for ports published in ingress mode);
// - each task's address on it, for tasks not yet shut down (a terminal task's address is released);
// - one load-balancer endpoint ("lb-<net>") per node attached: on ingress every node, elsewhere each
//   node running a task on it. The API does not list them: they are inferred, and a node that still
//   waits for its endpoint counts, since it needs one.
// Tasks of an attached service that hold no address yet are `waiting`: what a full network strands.

/** States after which a task holds no address (the allocator releases it). */
const TERMINAL = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'])
/** States a task sits in before it runs: where an overlay out of addresses leaves it. */
export const NOT_STARTED = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing'])

export interface CapacityCounts {
  /** Usable addresses over all the network's subnets. */
  size: number
  /** VIPs + task addresses + load-balancer endpoints (at most `size`). */
  used: number
  free: number
  /** used / size, 0–100, rounded down (100 only when full). */
  percent: number
  vips: number
  tasks: number
  lbEndpoints: number
  /** Tasks of attached services that hold no address on it yet. */
  waiting: number
}

export interface NetworkCapacity extends CapacityCounts {
  network: string
  id: string
  subnets: {subnet: string; usable: number}[]
  vipAddresses: {service: string; address?: string}[]
  taskAddresses: {task: string; service: string; node: string; address: string; state: string}[]
  /** Nodes holding (or needing) a load-balancer endpoint on it, by hostname. */
  lbNodes: string[]
  waitingTasks: {task: string; service: string; node: string; state: string; since: string}[]
}

export interface CapacityInput {
  nodes: SwarmNode[]
  services: ServiceSummary[]
  /** Every task the manager knows (terminal ones are left out here). */
  tasks: TaskSummary[]
}

/** Usable addresses in a subnet: IPv4 loses its network, broadcast and gateway addresses, IPv6 its gateway. */
export function usableAddresses(cidr: string): number {
  const [address, prefixText] = cidr.split('/')
  const family = isIP(address ?? '')
  const prefix = Number(prefixText)
  if (family === 0 || !Number.isInteger(prefix)) return 0
  if (family === 6) return 2 ** (128 - prefix) - 1
  return Math.max(0, 2 ** (32 - prefix) - 3)
}

/** A network's addresses counted, with the breakdown built only when asked (it names every task). */
export interface Tally {
  counts: CapacityCounts
  detail(): NetworkCapacity
}

/** Every network's capacity from one pass over the tasks, whatever the number of networks. */
export function tallyNetworks(networks: NetworkSummary[], {nodes, services, tasks}: CapacityInput): Tally[] {
  const wanted = new Set(networks.map((n) => n.id))
  const serviceMap = new Map(services.map((s) => [s.id, s]))
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const raw = new Map(networks.map((n) => [n.id, {vips: [] as ServiceSummary[], held: [] as {task: TaskSummary; address: string}[], waiting: [] as TaskSummary[], lb: new Set(n.ingress ? nodes.map((node) => node.id) : [])}]))
  for (const service of services) {
    for (const a of service.networks) if (wanted.has(a.id) && (service.endpointMode === 'vip' || a.vip)) raw.get(a.id)!.vips.push(service)
  }

  for (const task of tasks) {
    if (TERMINAL.has(task.state)) continue
    for (const {networkId, address} of task.addresses) {
      const r = raw.get(networkId)
      if (!r) continue
      r.held.push({task, address})
      if (task.nodeId) r.lb.add(task.nodeId)
    }

    // A task not yet allocated holds nothing, but still wants an address on each of its service's networks.
    if (task.desiredState !== 'running') continue
    const networksOf = serviceMap.get(task.serviceId)?.networks
    if (!networksOf || task.addresses.length >= networksOf.length) continue // the usual case: it holds them all
    for (const a of networksOf) if (!task.addresses.some((t) => t.networkId === a.id)) raw.get(a.id)?.waiting.push(task)
  }

  return networks.map((network) => {
    const r = raw.get(network.id)!
    const subnets = network.subnets.map((s) => ({subnet: s.subnet, usable: usableAddresses(s.subnet)}))
    const size = subnets.reduce((sum, s) => sum + s.usable, 0)
    const used = Math.min(size, r.vips.length + r.held.length + r.lb.size)
    const counts = {size, used, free: size - used, percent: size === 0 ? 0 : Math.floor((used / size) * 100), vips: r.vips.length, tasks: r.held.length, lbEndpoints: r.lb.size, waiting: r.waiting.length}
    const view = (task: TaskSummary) => {
      const service = serviceMap.get(task.serviceId)
      return {task: service ? taskName(service, task, nodeMap) : task.id.slice(0, 12), service: service?.name ?? task.serviceId, node: nodeMap.get(task.nodeId)?.hostname ?? task.nodeId}
    }

    const detail = (): NetworkCapacity => ({
      network: network.name, id: network.id, ...counts, subnets,
      vipAddresses: r.vips.map((s) => ({service: s.name, address: s.networks.find((a) => a.id === network.id)?.vip})),
      taskAddresses: r.held.map(({task, address}) => ({...view(task), address, state: task.state})),
      lbNodes: [...r.lb].map((id) => nodeMap.get(id)?.hostname ?? id).sort(),
      waitingTasks: r.waiting.map((task) => ({...view(task), state: task.state, since: task.stateSince})),
    })
    return {counts, detail}
  })
}

/** Every network's capacity, with the breakdown. */
export function capacities(networks: NetworkSummary[], input: CapacityInput): NetworkCapacity[] {
  return tallyNetworks(networks, input).map((t) => t.detail())
}

/** One network's capacity, with the breakdown. */
export function networkCapacity(network: NetworkSummary, input: CapacityInput): NetworkCapacity {
  return tallyNetworks([network], input)[0].detail()
}
