import {describeCauses} from '../core/causes.js'
import type {NetworkSummary, ServiceSummary} from '../docker/engine.js'
import {SwarmnetError} from '../core/errors.js'
import {findProxy, proxyNetworks} from '../proxy/find.js'
import {readEveryReplica} from '../proxy/accounting.js'
import {liveServices} from '../proxy/client.js'
import {type Cluster, type PendingReplica, type ProxyReplica, proxyReplicas} from '../proxy/replicas.js'
import type {ReplicaView} from './survey.js'
import {type RouteParams, paramsFromLabels} from './params.js'

/** The proxy a route command works on, its replicas, and the swarm's services. */
export interface ProxyContext {
  proxy: ServiceSummary
  networks: NetworkSummary[]
  services: ServiceSummary[]
  replicas: ProxyReplica[]
  pending: PendingReplica[]
  /** How many replicas the proxy should have (see ReplicaSet.desired). */
  desired: number
}

/** The proxy and its replicas, waiting up to `waitMs` for every desired one to be up (see proxyReplicas). */
export async function loadProxy(cluster: Cluster, options: {proxy?: string; json: boolean; waitMs: number}): Promise<ProxyContext> {
  const [services, networks] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks()])
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services})
  const {replicas, pending, desired} = await proxyReplicas(cluster, proxy, {waitMs: options.waitMs})
  if (desired === 0) throw new SwarmnetError(`the proxy service ${proxy.name} has no task that should run (scaled to 0?)`)
  return {proxy, networks: proxyNetworks(proxy, networks), services, replicas, pending, desired}
}

/** A proxy context whose replicas were all read (their routes), with those not read after waiting named. */
export interface SurveyedProxy extends ProxyContext {
  views: ReplicaView[]
}

/**
 * The proxy and what every replica holds: each desired replica is waited for (up to `waitMs`) until
 * its routes could be read; those that could not are views with an error (their API failed) or
 * pending (not up), never left out.
 */
export async function surveyProxy(cluster: Cluster, options: {proxy?: string; json: boolean; waitMs: number}): Promise<SurveyedProxy> {
  const [services, networks] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks()])
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services})
  const accounted = await readEveryReplica(cluster, proxy, (replica) => liveServices(replica.api, cluster.timeoutMs), {waitMs: options.waitMs})
  if (accounted.desired === 0) throw new SwarmnetError(`the proxy service ${proxy.name} has no task that should run (scaled to 0?)`)
  const views: ReplicaView[] = [...accounted.read.map(({replica, value}) => ({replica, live: value})), ...accounted.failed.map(({replica, error}) => ({replica, error}))]
  views.sort((a, b) => a.replica.task.localeCompare(b.replica.task, undefined, {numeric: true}))
  return {proxy, networks: proxyNetworks(proxy, networks), services, replicas: views.map((v) => v.replica), pending: accounted.pending, desired: accounted.desired, views}
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
  /** The task's state ("running", "starting", "preparing", "not created"...). */
  state?: string
}

export function rowOf(replica: ProxyReplica | PendingReplica, result: ReplicaRow['result'], message?: string): ReplicaRow {
  const route = 'api' in replica ? replica.api.route : undefined
  return {node: replica.node.hostname, task: replica.task, taskId: replica.taskId, state: replica.state, via: route?.via, target: route?.target, note: route?.note, result, ...(message ? {message} : {})}
}

export function pendingRows(pending: PendingReplica[]): ReplicaRow[] {
  return pending.map((p) => ({...rowOf(p, 'not running', `task is ${p.state}${p.error ? `: ${p.error}` : ''}`), state: p.state}))
}

/** "node-2 (proxy.node-2): connection refused; node-3 ...": the failed rows, one line. */
export function describeFailures(rows: ReplicaRow[]): string {
  // A cause shared by several replicas (the same message) is said once, naming them.
  return describeCauses(rows.filter((r) => r.result !== 'ok').map((r) => ({who: `${r.node} (${r.task})`, cause: r.message ?? r.result})))
}
