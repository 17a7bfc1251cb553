import {mapLimit} from '../core/concurrency.js'
import {SwarmnetError, reasonOf} from '../core/errors.js'
import {confirmDestructive} from '../ui/interactive.js'
import {type LiveService, liveServices, reconfigure, removeService} from '../proxy/client.js'
import {type NotRead, notReadOf} from '../proxy/accounting.js'
import type {Cluster} from '../proxy/replicas.js'
import {type ReplicaRow, type SurveyedProxy, describeFailures, pendingRows, rowOf, surveyProxy} from './context.js'
import {reconfigureParams, sameRoute, staleAclName} from './params.js'
import {type DesiredRoute, type ReplicaView, desiredRoutes} from './survey.js'

export interface SyncInput {
  proxy?: string
  prune: boolean
  dryRun: boolean
  yes: boolean
  json: boolean
  /** Requests in flight per replica. */
  concurrency: number
  /** How long to wait for replicas that should run but cannot be asked yet. */
  waitMs: number
}

export interface ReplicaSync extends ReplicaRow {
  added: string[]
  updated: string[]
  removed: string[]
  unchanged: number
  /** Routes the replica said it took but did not hold when read back, so were sent again. */
  resent: string[]
  failures: {service: string; message: string}[]
}

export interface SyncResult {
  proxy: string
  dryRun: boolean
  /** --prune was asked for, and its removals answered No. */
  pruneDeclined: boolean
  routes: number
  /** Labelled routes not sent, and why (the proxy would refuse or 503 them). */
  skipped: {service: string; reason: string}[]
  replicas: ReplicaSync[]
  /** Replicas synced (every route in place, read back), of those the proxy should have. */
  synced: number
  desired: number
  /** Desired replicas that could not be synced: not up after waiting, or their API failed. */
  notSynced: NotRead[]
}

interface Plan {
  view: ReplicaView
  add: DesiredRoute[]
  update: DesiredRoute[]
  remove: {service: string; aclName?: string}[]
  unchanged: number
}

/**
 * Puts every labelled route on every replica that lacks it or holds another version, and with
 * --prune removes routes no label backs. Replicas are read first, so only what differs is sent;
 * afterwards each is read again, and a route still missing is sent once more (concurrent changes
 * to one replica are not trusted to all land).
 */
export async function syncRoutes(cluster: Cluster, input: SyncInput, loaded?: SurveyedProxy): Promise<SyncResult> {
  // Every replica the proxy should have is waited for (up to --wait): one still starting is synced, not skipped.
  const context = loaded ?? (await surveyProxy(cluster, input))
  const {views} = context
  const routes = await desiredRoutes(cluster, context)
  const sendable = routes.filter((r) => !r.problem)
  const plans = views.map((view) => plan(view, sendable, input.prune))
  const removals = [...new Set(plans.flatMap((p) => p.remove.map((r) => r.service)))]
  let pruneDeclined = false
  if (removals.length > 0 && !input.dryRun) {
    const ok = await confirmDestructive({question: `Remove ${removals.length} unlabelled route(s) (${removals.join(', ')}) from the proxy?`, action: 'route sync --prune', yes: input.yes, json: input.json})
    // Declining the removal still lets the missing routes be added.
    if (!ok) {
      pruneDeclined = true
      for (const p of plans) p.remove = []
    }
  }

  const replicas = await Promise.all(plans.map((p) => (input.dryRun || p.view.error ? report(p) : apply(cluster, p, input.concurrency))))
  const result: SyncResult = {
    proxy: context.proxy.name,
    dryRun: input.dryRun,
    pruneDeclined,
    routes: routes.length,
    skipped: routes.filter((r) => r.problem).map((r) => ({service: r.service, reason: r.problem!})),
    replicas: [...replicas, ...pendingRows(context.pending).map((row) => ({...row, added: [], updated: [], removed: [], unchanged: 0, resent: [], failures: []}))],
    synced: replicas.filter((r) => r.result === 'ok').length,
    desired: context.desired,
    notSynced: [
      ...replicas.filter((r) => r.result !== 'ok').map((r) => ({task: r.task, taskId: r.taskId, node: r.node, state: r.state ?? 'running', reason: r.message ?? r.result})),
      ...notReadOf({failed: [], pending: context.pending}),
    ],
  }
  if (result.replicas.some((r) => r.result !== 'ok')) {
    throw new SwarmnetError(`route sync left replicas out of step (${result.synced} of ${result.desired} synced): ${describeFailures(result.replicas)}`).withDetails(result)
  }

  return result
}

function plan(view: ReplicaView, routes: DesiredRoute[], prune: boolean): Plan {
  const live = view.live ?? {}
  const add = routes.filter((r) => !live[r.service])
  const update = routes.filter((r) => live[r.service] && !sameRoute(r.service, r.params, live[r.service], r.defaults))
  const labelled = new Set(routes.map((r) => r.service))
  const remove = prune ? Object.entries(live).filter(([service]) => !labelled.has(service)).map(([service, held]) => ({service, aclName: aclOf(held)})) : []
  return {view, add, update, remove, unchanged: routes.length - add.length - update.length}
}

function aclOf(held: LiveService): string | undefined {
  return typeof held.AclName === 'string' && held.AclName !== '' ? held.AclName : undefined
}

function report(p: Plan, failures: ReplicaSync['failures'] = [], resent: string[] = []): ReplicaSync {
  const row = p.view.error ? rowOf(p.view.replica, 'unreachable', p.view.error) : failures.length > 0 ? rowOf(p.view.replica, 'failed', `${failures.length} route(s) not in place`) : rowOf(p.view.replica, 'ok')
  return {...row, added: p.add.map((r) => r.service), updated: p.update.map((r) => r.service), removed: p.remove.map((r) => r.service), unchanged: p.unchanged, resent, failures}
}

async function apply(cluster: Cluster, p: Plan, concurrency: number): Promise<ReplicaSync> {
  const {api} = p.view.replica
  const said = new Map<string, string>()
  const send = async (route: DesiredRoute) => {
    const stale = staleAclName(route.service, route.params, p.view.live?.[route.service])
    if (stale) await removeService(api, route.service, stale, cluster.timeoutMs).catch(() => {})
    const answer = await reconfigure(api, reconfigureParams(route.service, route.params), cluster.timeoutMs).catch((error) => ({outcome: 'failed', message: reasonOf(error)}))
    if (answer.outcome === 'ok') said.delete(route.service)
    else said.set(route.service, answer.message)
  }

  const toSend = [...p.add, ...p.update]
  await mapLimit(toSend, concurrency, send)
  await mapLimit(p.remove, concurrency, async ({service, aclName}) => {
    const answer = await removeService(api, service, aclName, cluster.timeoutMs).catch((error) => ({outcome: 'failed', message: reasonOf(error)}))
    if (answer.outcome !== 'ok') said.set(service, answer.message)
  })

  // What the proxy answered is not enough: read back, and send once more what it said it took but lacks.
  const held = (live: Record<string, LiveService>, route: DesiredRoute) => sameRoute(route.service, route.params, live[route.service], route.defaults)
  try {
    let live = await liveServices(api, cluster.timeoutMs)
    const lost = toSend.filter((route) => !said.has(route.service) && !held(live, route))
    if (lost.length > 0) {
      for (const route of lost) await send(route)
      live = await liveServices(api, cluster.timeoutMs)
    }

    // The real proxy drops a service whose new route HAProxy refused, the route it had before included.
    const dropped = (route: DesiredRoute) => p.update.includes(route) && !live[route.service] ? '; its previous route is gone from this replica too' : ''
    const failures = [
      ...toSend.filter((route) => !held(live, route)).map((route) => ({service: route.service, message: (said.get(route.service) ?? 'answered OK twice, but its configuration does not hold it') + dropped(route)})),
      ...p.remove.filter(({service}) => live[service]).map(({service}) => ({service, message: said.get(service) ?? 'still there after remove'})),
    ]
    return report(p, failures, lost.map((r) => r.service))
  } catch (error) {
    return report(p, [{service: '*', message: `could not read its configuration back: ${reasonOf(error)}`}])
  }
}
