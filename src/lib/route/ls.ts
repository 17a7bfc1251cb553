import {type NotRead, describeNotRead, notReadOf} from '../proxy/accounting.js'
import type {Cluster} from '../proxy/replicas.js'
import {type ReplicaRow, pendingRows, rowOf, surveyProxy} from './context.js'
import {destinationsOf} from './params.js'
import {type LiveState, desiredRoutes, liveState} from './survey.js'
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
  /** Replicas read, of those the proxy should have. */
  read: number
  desired: number
  /** Desired replicas whose routes could not be read, with their state and why. */
  notRead: NotRead[]
  /** Every desired replica was read and holds every sendable labelled route as labelled, and no replica holds an unlabelled route the others lack. */
  agree: boolean
  /** Why not, one line per reason (empty when they agree). */
  problems: string[]
}

/** Every labelled route, and per replica whether it holds it as labelled. */
export async function listRoutes(cluster: Cluster, options: {proxy?: string; json: boolean; waitMs: number}): Promise<RouteListing> {
  const context = await surveyProxy(cluster, options)
  const {views} = context
  const routes = await desiredRoutes(cluster, context)
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
  const unlabelled = [...held].map(([service, replicas]) => ({service, replicas})).sort((a, b) => a.service.localeCompare(b.service))
  const read = views.filter((v) => v.live).length
  const notRead = notReadOf({failed: views.filter((v) => v.error).map((v) => ({replica: v.replica, error: v.error!})), pending: context.pending})
  const problems = [
    ...(notRead.length > 0 ? [`${read} of ${context.desired} replica(s) read; not read: ${describeNotRead(notRead)}`] : []),
    ...entries.filter((e) => !e.problem).flatMap((e) => {
      const off = Object.entries(e.replicas).filter(([, state]) => state !== 'live')
      return off.length > 0 ? [`${e.service}: ${off.map(([task, state]) => `${state} on ${task}`).join(', ')}`] : []
    }),
    ...unlabelled.filter((u) => u.replicas.length < read).map((u) => `${u.service} (not labelled): held only by ${u.replicas.join(', ')}`),
  ]
  return {proxy: context.proxy.name, replicas: rows, routes: entries, unlabelled, read, desired: context.desired, notRead, agree: problems.length === 0, problems}
}
