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

/** One network's capacity; indexes built once make it linear in tasks however many networks there are. */
export function networkCapacity(network: NetworkSummary, input: CapacityInput, index = indexOf(input)): NetworkCapacity {
  const subnets = network.subnets.map((s) => ({subnet: s.subnet, usable: usableAddresses(s.subnet)}))
  const size = subnets.reduce((sum, s) => sum + s.usable, 0)
  const attached = index.servicesOn.get(network.id) ?? []
  const vipAddresses = attached.filter((s) => s.endpointMode === 'vip' || s.networks.some((a) => a.id === network.id && a.vip))
    .map((s) => ({service: s.name, address: s.networks.find((a) => a.id === network.id)?.vip}))
  const taskAddresses: NetworkCapacity['taskAddresses'] = []
  const waitingTasks: NetworkCapacity['waitingTasks'] = []
  const lbNodeIds = new Set(network.ingress ? input.nodes.map((n) => n.id) : [])
  for (const task of index.tasksOn.get(network.id) ?? []) {
    const service = index.services.get(task.serviceId)
    const view = {task: service ? taskName(service, task, index.nodes) : task.id.slice(0, 12), service: service?.name ?? task.serviceId, node: index.nodes.get(task.nodeId)?.hostname ?? task.nodeId}
    const address = task.addresses.find((a) => a.networkId === network.id)?.address
    if (address) taskAddresses.push({...view, address, state: task.state})
    else waitingTasks.push({...view, state: task.state, since: task.stateSince})
    if (address && task.nodeId) lbNodeIds.add(task.nodeId)
  }

  const lbNodes = [...lbNodeIds].map((id) => index.nodes.get(id)?.hostname ?? id).sort()
  const wanted = vipAddresses.length + taskAddresses.length + lbNodes.length
  const used = Math.min(size, wanted)
  return {
    network: network.name, id: network.id, size, used, free: size - used, percent: size === 0 ? 0 : Math.floor((used / size) * 100),
    vips: vipAddresses.length, tasks: taskAddresses.length, lbEndpoints: lbNodes.length, waiting: waitingTasks.length,
    subnets, vipAddresses, taskAddresses, lbNodes, waitingTasks,
  }
}

/** Every network's capacity, from one pass over the tasks. */
export function capacities(networks: NetworkSummary[], input: CapacityInput): NetworkCapacity[] {
  const index = indexOf(input)
  return networks.map((n) => networkCapacity(n, input, index))
}

/** Just the counts, for lists. */
export function countsOf(capacity: NetworkCapacity): CapacityCounts {
  const {size, used, free, percent, vips, tasks, lbEndpoints, waiting} = capacity
  return {size, used, free, percent, vips, tasks, lbEndpoints, waiting}
}

interface CapacityIndex {
  nodes: Map<string, SwarmNode>
  services: Map<string, ServiceSummary>
  servicesOn: Map<string, ServiceSummary[]>
  /** Per network id: the tasks not shut down that hold an address on it or belong to a service attached. */
  tasksOn: Map<string, TaskSummary[]>
}

function indexOf({nodes, services, tasks}: CapacityInput): CapacityIndex {
  const servicesOn = new Map<string, ServiceSummary[]>()
  for (const service of services) for (const {id} of service.networks) push(servicesOn, id, service)
  const serviceMap = new Map(services.map((s) => [s.id, s]))
  const tasksOn = new Map<string, TaskSummary[]>()
  for (const task of tasks) {
    if (TERMINAL.has(task.state)) continue
    // A task not yet allocated holds nothing, but still wants an address on each of its service's networks.
    const waitsFor = task.desiredState === 'running' ? serviceMap.get(task.serviceId)?.networks.map((a) => a.id) ?? [] : []
    for (const id of new Set([...task.addresses.map((a) => a.networkId), ...waitsFor])) push(tasksOn, id, task)
  }

  return {nodes: new Map(nodes.map((n) => [n.id, n])), services: serviceMap, servicesOn, tasksOn}
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
