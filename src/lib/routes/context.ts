import {describeCauses} from '../causes.js'
import type {NetworkSummary, ServiceSummary} from '../docker/engine.js'
import {SwarmnetError} from '../errors.js'
import {findProxy, proxyNetworks} from '../proxy/find.js'
import {type Cluster, type PendingReplica, type ProxyReplica, proxyReplicas} from '../proxy/replicas.js'
import {type RouteParams, paramsFromLabels} from './params.js'

/** The proxy a route command works on, its replicas, and the swarm's services. */
export interface ProxyContext {
  proxy: ServiceSummary
  networks: NetworkSummary[]
  services: ServiceSummary[]
  replicas: ProxyReplica[]
  pending: PendingReplica[]
}

export async function loadProxy(cluster: Cluster, options: {proxy?: string; json: boolean}): Promise<ProxyContext> {
  const [services, networks] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks()])
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services})
  const {replicas, pending} = await proxyReplicas(cluster, proxy)
  if (replicas.length === 0 && pending.length === 0) throw new SwarmnetError(`the proxy service ${proxy.name} has no task that should run (scaled to 0?)`)
  return {proxy, networks: proxyNetworks(proxy, networks), services, replicas, pending}
}

/** Services that carry a route in their labels, with it. */
export function labelledRoutes(services: ServiceSummary[]): {service: ServiceSummary; params: RouteParams}[] {
  return services.flatMap((service) => {
    const params = paramsFromLabels(service.labels)
    return params ? [{service, params}] : []
  })
}

/** One replica's outcome, the row every route command prints. */
export interface ReplicaRow {
  node: string
  task: string
  taskId: string
  via?: string
  target?: string
  note?: string
  result: 'ok' | 'refused' | 'failed' | 'unreachable' | 'not running' | 'rolled back'
  message?: string
}

export function rowOf(replica: ProxyReplica | PendingReplica, result: ReplicaRow['result'], message?: string): ReplicaRow {
  const route = 'api' in replica ? replica.api.route : undefined
  return {node: replica.node.hostname, task: replica.task, taskId: replica.taskId, via: route?.via, target: route?.target, note: route?.note, result, ...(message ? {message} : {})}
}

export function pendingRows(pending: PendingReplica[]): ReplicaRow[] {
  return pending.map((p) => rowOf(p, 'not running', `task is ${p.state}${p.error ? `: ${p.error}` : ''}`))
}

/** "node-2 (proxy.node-2): connection refused; node-3 ...": the failed rows, one line. */
export function describeFailures(rows: ReplicaRow[]): string {
  // A cause shared by several replicas (the same message) is said once, naming them.
  return describeCauses(rows.filter((r) => r.result !== 'ok').map((r) => ({who: `${r.node} (${r.task})`, cause: r.message ?? r.result})))
}
