import type {Cluster} from '../docker/cluster.js'
import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError, oneLine, reasonOf} from '../core/errors.js'
import {inNetwork} from '../docker/in-network.js'
import {findNode} from '../node/node.js'
import {findService} from '../docker/services.js'
import {taskName} from '../docker/tasks.js'

export interface DnsInput {
  service: string
  network?: string
  from?: string
  json: boolean
}

export interface DnsLookup {
  /** "go-demo" or "tasks.go-demo". */
  name: string
  /** What the swarm's embedded DNS answered inside the network, sorted. */
  answered: string[]
  /** What the manager says it should answer: the VIP, or the running tasks' IPs. */
  expected: string[]
  /** Answered, but not (or no longer) a running task's IP or the VIP. */
  stale: string[]
  /** A running task's IP (or the VIP) that DNS did not answer. */
  missing: string[]
  error?: string
}

export interface DnsResult {
  service: string
  network: string
  endpointMode: string
  /** Where the names were resolved: node and container. */
  from: {node: string; container: string; helper: boolean}
  tasks: {task: string; node: string; ip: string}[]
  vip?: string
  lookups: DnsLookup[]
  ok: boolean
  notes: string[]
}

/**
 * Service discovery as containers see it: from inside the network (a container attached to it on
 * the chosen node, or a short-lived helper), resolves SERVICE and tasks.SERVICE with Docker's
 * embedded DNS, and compares the answers with the manager's view. SERVICE is checked by the command
 * (checkServiceRef) before it connects.
 */
export async function lookupService(cluster: Cluster, input: DnsInput): Promise<DnsResult> {
  const [networks, nodes] = await Promise.all([cluster.engine.listNetworks(), cluster.engine.listNodes()])
  const service = await findService(cluster.engine, input.service)
  const network = pickNetwork(service, networks, input.network)
  const tasks = (await cluster.engine.listTasks({service: service.id, desiredState: 'running'})).filter((t) => t.state === 'running')
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const taskIps = tasks.flatMap((t) => t.addresses.filter((a) => a.networkId === network.id).map((a) => ({task: taskName(service, t, nodeMap), node: nodeMap.get(t.nodeId)?.hostname ?? t.nodeId, ip: a.address})))
  const vip = service.endpointMode === 'vip' ? service.networks.find((a) => a.id === network.id)?.vip : undefined
  const from = input.from === undefined ? await defaultNode(cluster, network, nodes, tasks) : findNode(nodes, input.from)
  const place = await inNetwork(cluster, {network, node: from, tools: ['nslookup'], preferImages: [service.image]})
  try {
    const ips = taskIps.map((t) => t.ip)
    const lookups = [
      await lookup(place.exec, service.name, vip ? [vip] : ips),
      await lookup(place.exec, `tasks.${service.name}`, ips),
    ]
    const notes: string[] = []
    if (vip && cluster.environment.labAddresses.includes(from.address)) notes.push(`the VIP ${vip} resolves but does not answer here: this kernel has no IPVS`)
    if (tasks.length === 0) notes.push('the service has no running task')
    return {
      service: service.name, network: network.name, endpointMode: service.endpointMode, from: {node: place.node, container: place.container, helper: place.helper},
      tasks: taskIps.sort((a, b) => a.task.localeCompare(b.task, undefined, {numeric: true})), ...(vip ? {vip} : {}), lookups,
      ok: lookups.every((l) => !l.error && l.stale.length === 0 && l.missing.length === 0), notes,
    }
  } finally {
    await place.close()
  }
}

function pickNetwork(service: ServiceSummary, networks: NetworkSummary[], ref: string | undefined): NetworkSummary {
  const byId = new Map(networks.map((n) => [n.id, n]))
  const own = service.networks.map((a) => byId.get(a.id)).filter((n): n is NetworkSummary => n !== undefined && !n.ingress)
  const names = own.map((n) => n.name).join(', ') || 'none'
  if (ref !== undefined) {
    const found = own.find((n) => n.name === ref || n.id === ref)
    if (!found) throw new UsageError(`service ${service.name} is not on network "${ref}"; it is on ${names}`)
    return found
  }

  if (own.length === 1) return own[0]
  if (own.length === 0) throw new SwarmnetError(`service ${service.name} is on no overlay network, so no container can look it up by name`)
  throw new UsageError(`service ${service.name} is on several networks (${names}); choose one with --network`)
}

/** A node with a running task on the network (containers are there to ask from), else the manager's. */
async function defaultNode(cluster: Cluster, network: NetworkSummary, nodes: SwarmNode[], own: TaskSummary[]): Promise<SwarmNode> {
  const all = await cluster.engine.listTasks({desiredState: 'running'})
  const onNetwork = [...own, ...all].filter((t) => t.state === 'running' && t.addresses.some((a) => a.networkId === network.id))
  const candidates = nodes.filter((n) => onNetwork.some((t) => t.nodeId === n.id))
  const managerId = (await cluster.engine.info()).swarm.nodeId
  return candidates.find((n) => n.id === managerId) ?? candidates[0] ?? nodes.find((n) => n.id === managerId) ?? nodes[0]
}

async function lookup(exec: (command: string[]) => Promise<{exitCode?: number; stdout: Buffer; stderr: string}>, name: string, expected: string[]): Promise<DnsLookup> {
  const wanted = [...new Set(expected)].sort(byAddress)
  try {
    // No options: old busybox (the real proxy image's) knows none.
    const output = await exec(['nslookup', name])
    const answered = parseNslookup(output.stdout.toString())
    const text = oneLine(output.stdout.toString() + output.stderr)
    const error = answered.length === 0 && !/NXDOMAIN|can't find|No answer|can't resolve .*Name does not resolve/i.test(text) ? `nslookup: ${text.slice(0, 200)}` : undefined
    return {name, answered, expected: wanted, stale: answered.filter((ip) => !wanted.includes(ip)), missing: wanted.filter((ip) => !answered.includes(ip)), ...(error ? {error} : {})}
  } catch (error) {
    return {name, answered: [], expected: wanted, stale: [], missing: wanted, error: reasonOf(error)}
  }
}

/**
 * The IPv4 addresses in nslookup's answer, in the formats of new busybox ("Address: 10.0.1.5"), old
 * busybox ("Address 1: 10.0.1.5 go-demo.1.x.proxy") and BIND: the lines after the first "Name:", so
 * the server's own address is not taken for an answer.
 */
export function parseNslookup(text: string): string[] {
  const answer = text.slice(Math.max(text.search(/^Name:/m), 0))
  if (!/^Name:/m.test(text)) return []
  const ips = [...answer.matchAll(/^Address(?:es)?(?:\s+\d+)?:\s*(\S+)/gm)].map((m) => m[1].replace(/#\d+$/, ''))
  return [...new Set(ips.filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)))].sort(byAddress)
}

function byAddress(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i]
  return 0
}
