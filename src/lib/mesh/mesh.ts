import net from 'node:net'

import {describeCauses} from '../core/causes.js'
import type {Cluster} from '../docker/cluster.js'
import type {PortSpec, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {formatSeconds} from '../core/duration.js'
import {UsageError, reasonOf} from '../core/errors.js'
import {findService} from '../docker/services.js'
import {parseRawResponse, rawGetRequest} from '../proxy/http.js'
import {taskName} from '../docker/tasks.js'
import {checkServiceRef, checkUrlPath, parsePort} from '../core/input.js'

export interface MeshInput {
  service?: string
  port?: string
  path: string
  json: boolean
}

export interface Probe {
  node: string
  address: string
  port: number
  mode: string
  /** Whether this node runs a task of the service (host-mode ports can only answer there). */
  runsTask: boolean
  result: 'answered' | 'refused' | 'timed out' | 'failed'
  latencyMs?: number
  status?: number
  /** The task that answered, when the answer names its container (X-Served-By). */
  answeredBy?: string
  error?: string
}

export interface PortVerdict {
  service: string
  port: number
  mode: string
  answering: string[]
  withTasks: string[]
  ok: boolean
  diagnosis: string
}

export interface MeshResult {
  probes: Probe[]
  verdicts: PortVerdict[]
  ok: boolean
}

/** MeshInput once checked: the port as a number. */
export interface CheckedMeshInput {
  service?: string
  port?: number
  path: string
}

/** Everything that can be checked before connecting; the command calls it once, meshCheck trusts it. */
export function checkMeshInput(input: MeshInput): CheckedMeshInput {
  if ((input.service === undefined) === (input.port === undefined)) throw new UsageError('give a SERVICE or --port PORT (one of them)')
  if (input.service !== undefined) checkServiceRef(input.service)
  checkUrlPath(input.path, '--path')
  return {service: input.service, port: input.port === undefined ? undefined : parsePort(input.port, '--port'), path: input.path}
}

/**
 * Probes a service's published ports on every node at once, from here: who answers, how fast, and
 * which container; then says what that means. Host-mode ports answer only where a task runs;
 * ingress ports should answer everywhere, and answering only where tasks run is the classic sign
 * of a broken mesh (the VXLAN data-path port (4789/udp unless moved) or 7946 blocked between nodes, or no IPVS).
 */
export async function meshCheck(cluster: Cluster, input: CheckedMeshInput): Promise<MeshResult> {
  const [services, nodes, tasks] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNodes(), cluster.engine.listTasks({desiredState: 'running'})])
  const targets = input.service !== undefined ? portsOf(await findService(cluster.engine, input.service, services)) : publishing(services, input.port!)
  const ready = nodes.filter((n) => n.status === 'ready' && n.address)
  // Probes grouped per target: services sharing a host-mode port must each be judged on their own.
  const probes = await Promise.all(targets.map(({service, port}) => Promise.all(ready.map((node) => probe(node, port, service, tasks, nodes, services, input.path, cluster.timeoutMs)))))
  // Nodes of this machine's lab without IPVS: the mesh cannot forward there.
  const noIpvs = ready.some((n) => cluster.environment.labAddresses.includes(n.address)) && !cluster.environment.ipvs
  const verdicts = targets.map(({service, port}, i) => verdict(service, port, probes[i], ready, sharers(service, port, services, tasks, nodes), noIpvs))
  return {probes: probes.flat(), verdicts, ok: verdicts.every((v) => v.ok)}
}

function portsOf(service: ServiceSummary): {service: ServiceSummary; port: PortSpec}[] {
  const ports = service.ports.filter((p) => p.protocol === 'tcp' && p.publishedPort)
  if (ports.length === 0) throw new UsageError(`service ${service.name} publishes no TCP port; publish one (docker service update --publish-add ...) or test it from inside: swarmnet lb test ${service.name}`)
  return ports.map((port) => ({service, port}))
}

function publishing(services: ServiceSummary[], port: number): {service: ServiceSummary; port: PortSpec}[] {
  const found = services.flatMap((service) => service.ports.filter((p) => p.protocol === 'tcp' && p.publishedPort === port).map((p) => ({service, port: p})))
  if (found.length === 0) throw new UsageError(`no service publishes port ${port}; published ports: ${services.flatMap((s) => s.ports.filter((p) => p.publishedPort).map((p) => `${p.publishedPort} (${s.name})`)).join(', ') || 'none'}`)
  return found
}

/** Nodes where another service publishing the same port in host mode runs a task: it answers there by design. */
function sharers(service: ServiceSummary, port: PortSpec, services: ServiceSummary[], tasks: TaskSummary[], nodes: SwarmNode[]): Map<string, string> {
  const others = services.filter((s) => s.id !== service.id && s.ports.some((p) => p.protocol === 'tcp' && p.publishMode === 'host' && p.publishedPort === port.publishedPort))
  return new Map(tasks.flatMap((t) => {
    const other = others.find((s) => s.id === t.serviceId)
    const host = nodes.find((n) => n.id === t.nodeId)
    return other && host && t.state === 'running' ? [[host.hostname, other.name] as [string, string]] : []
  }))
}

async function probe(node: SwarmNode, port: PortSpec, service: ServiceSummary, tasks: TaskSummary[], nodes: SwarmNode[], services: ServiceSummary[], path: string, timeoutMs: number): Promise<Probe> {
  const row: Probe = {
    node: node.hostname, address: node.address, port: port.publishedPort!, mode: port.publishMode,
    runsTask: tasks.some((t) => t.serviceId === service.id && t.nodeId === node.id && t.state === 'running'), result: 'failed',
  }
  const started = performance.now()
  const outcome = await talk(node.address, port.publishedPort!, rawGetRequest(path), timeoutMs)
  Object.assign(row, outcome)
  if (outcome.result === 'answered') row.latencyMs = Math.round((performance.now() - started) * 10) / 10
  if (outcome.servedBy) {
    const task = tasks.find((t) => t.containerId?.startsWith(outcome.servedBy!))
    const owner = task && services.find((s) => s.id === task.serviceId)
    row.answeredBy = task && owner ? taskName(owner, task, new Map(nodes.map((n) => [n.id, n]))) : outcome.servedBy
  }

  delete (row as {servedBy?: string}).servedBy
  return row
}

/** One request on a fresh connection: refused, timed out, or answered (HTTP or not). */
function talk(host: string, port: number, request: string, timeoutMs: number): Promise<Partial<Probe> & {servedBy?: string}> {
  return new Promise((resolve) => {
    const socket = net.connect({host, port})
    const chunks: Buffer[] = []
    let connected = false
    const done = (result: Partial<Probe> & {servedBy?: string}) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }

    const timer = setTimeout(() => done(connected ? {result: 'answered', error: `connected, but no answer within ${formatSeconds(timeoutMs)}`} : {result: 'timed out', error: `no connection within ${formatSeconds(timeoutMs)}`}), timeoutMs)
    socket.on('connect', () => {
      connected = true
      socket.write(request)
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => {
      const raw = Buffer.concat(chunks)
      const answer = parseRawResponse(raw)
      const served = answer ? /\r\nx-served-by:\s*([^\r\n]+)/i.exec(raw.toString('latin1'))?.[1]?.trim() : undefined
      done({result: 'answered', ...(answer ? {status: answer.status} : {}), ...(served ? {servedBy: served} : {})})
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) done({result: 'answered', error: reasonOf(error)})
      else done(error.code === 'ECONNREFUSED' ? {result: 'refused'} : error.code === 'ETIMEDOUT' ? {result: 'timed out'} : {result: 'failed', error: reasonOf(error)})
    })
  })
}

function verdict(service: ServiceSummary, port: PortSpec, probes: Probe[], nodes: SwarmNode[], shared: Map<string, string>, noIpvs: boolean): PortVerdict {
  const answering = probes.filter((p) => p.result === 'answered').map((p) => p.node)
  const withTasks = probes.filter((p) => p.runsTask).map((p) => p.node)
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x))
  const base = {service: service.name, port: port.publishedPort!, mode: port.publishMode, answering, withTasks}
  if (port.publishMode === 'host') {
    const others = answering.filter((n) => !withTasks.includes(n) && shared.has(n))
    const mine = answering.filter((n) => !others.includes(n))
    const aside = others.map((n) => `${n} answers for ${shared.get(n)}, which publishes the same port in host mode`)
    if (same(mine, withTasks)) return {...base, ok: withTasks.length > 0, diagnosis: [withTasks.length > 0 ? `host mode: exactly the ${withTasks.length} node(s) running a task answer (${withTasks.join(', ')}), as host-mode publishing does` : 'host mode, and no node runs a task: nothing can answer', ...aside].join('; ')}
    const silent = withTasks.filter((n) => !mine.includes(n))
    const stray = mine.filter((n) => !withTasks.includes(n))
    return {...base, ok: false, diagnosis: [silent.length > 0 ? `${silent.join(', ')} run${silent.length === 1 ? 's' : ''} a task but do${silent.length === 1 ? 'es' : ''} not answer (the task's port, or a firewall on the node)` : '', stray.length > 0 ? `${stray.join(', ')} answer${stray.length === 1 ? 's' : ''} without running a task (another program holds port ${port.publishedPort})` : '', ...aside].filter(Boolean).join('; ')}
  }

  if (answering.length === nodes.length) return {...base, ok: true, diagnosis: 'ingress: every node answers, the routing mesh works'}
  if (answering.length === 0) {
    return {...base, ok: false, diagnosis: noIpvs ? 'ingress: no node answers, because this kernel has no IPVS: the routing mesh cannot forward here; publish with mode=host' : `ingress: no node answers (${withTasks.length} run a task); check the tasks, the ingress network and IPVS on the nodes (swarmnet doctor)`}
  }

  if (same(answering, withTasks)) {
    return {...base, ok: false, diagnosis: 'ingress: only the nodes running a task answer: the routing mesh is not forwarding between nodes (the VXLAN data-path port (4789/udp unless moved) or 7946 blocked, or no IPVS); swarmnet doctor checks each node'}
  }

  return {...base, ok: false, diagnosis: `ingress: ${nodes.length - answering.length} of ${nodes.length} nodes do not answer (${describeCauses(probes.filter((p) => p.result !== 'answered').map((p) => ({who: p.node, cause: p.result})))}); swarmnet doctor checks them`}
}
