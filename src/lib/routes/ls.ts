import type {Cluster} from '../proxy/replicas.js'
import {type ReplicaRow, loadProxy, pendingRows, rowOf} from './context.js'
import {destinationsOf} from './params.js'
import {type LiveState, desiredRoutes, liveState, readReplicas} from './survey.js'
import {shown} from './users.js'

export interface RouteEntry {
  service: string
  destinations: {index: number; paths: string[]; port: string; domains: string[]; reqMode: string; srcPort?: number}[]
  params: Record<string, string>
  /** Per replica (by task name): live, missing, differs, or unknown when it could not be read. */
  replicas: Record<string, LiveState>
  problem?: string
}

export interface RouteListing {
  proxy: string
  replicas: ReplicaRow[]
  routes: RouteEntry[]
  /** Routes some replica holds that no label backs (`route sync --prune` removes them). */
  unlabelled: {service: string; replicas: string[]}[]
}

/** Every labelled route, and per replica whether it holds it as labelled. */
export async function listRoutes(cluster: Cluster, options: {proxy?: string; json: boolean}): Promise<RouteListing> {
  const context = await loadProxy(cluster, options)
  const [routes, views] = await Promise.all([desiredRoutes(cluster, context), readReplicas(cluster, context.replicas)])
  const entries: RouteEntry[] = routes.map((route) => ({
    service: route.service,
    destinations: destinationsOf(route.params).map(({index, paths, port, domains, reqMode, srcPort}) => ({index, paths, port, domains, reqMode, ...(srcPort ? {srcPort} : {})})),
    params: shown(route.params),
    replicas: Object.fromEntries(views.map((view) => [view.replica.task, liveState(route, view)])),
    ...(route.problem ? {problem: route.problem} : {}),
  }))
  const labelled = new Set(routes.map((r) => r.service))
  const held = new Map<string, string[]>()
  for (const view of views) {
    for (const service of Object.keys(view.live ?? {})) if (!labelled.has(service)) held.set(service, [...(held.get(service) ?? []), view.replica.task])
  }

  const rows = [...views.map((view) => (view.error ? rowOf(view.replica, 'unreachable', view.error) : rowOf(view.replica, 'ok'))), ...pendingRows(context.pending)]
  return {proxy: context.proxy.name, replicas: rows, routes: entries, unlabelled: [...held].map(([service, replicas]) => ({service, replicas})).sort((a, b) => a.service.localeCompare(b.service))}
}
