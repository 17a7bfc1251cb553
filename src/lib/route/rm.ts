import {SwarmnetError, UsageError, reasonOf} from '../core/errors.js'
import {confirmDestructive} from '../ui/interactive.js'
import {liveServices, removeService} from '../proxy/client.js'
import type {Cluster} from '../proxy/replicas.js'
import {type ReplicaRow, describeFailures, pendingRows, rowOf, surveyProxy} from './context.js'
import {labelChanges, paramsFromLabels} from './params.js'

export interface RouteRmResult {
  proxy: string
  service: string
  replicas: ReplicaRow[]
  /** False when the question was answered No: then nothing changed. */
  removed: boolean
  /** Whether the service's com.df.* route labels were removed (false when it had none or is gone). */
  unlabelled: boolean
}

/** Removes a service's route from every replica (confirmed first) and its labels from the service; SERVICE checked by the command. */
export async function removeRoute(cluster: Cluster, input: {service: string; proxy?: string; yes: boolean; json: boolean; waitMs: number}): Promise<RouteRmResult> {
  const context = await surveyProxy(cluster, input)
  const service = context.services.find((s) => s.name === input.service)
  const labelled = service ? paramsFromLabels(service.labels) : undefined
  const {views} = context
  const holders = views.filter((v) => v.live?.[input.service])
  if (!labelled && holders.length === 0) {
    throw new UsageError(`no route for "${input.service}": no label on a service of that name, and no replica holds one`)
  }

  const ok = await confirmDestructive({question: `Remove the route of ${input.service} from ${context.proxy.name} (${context.replicas.length} replica(s))${labelled ? ' and its labels' : ''}?`, action: 'route rm', yes: input.yes, json: input.json})
  if (!ok) return {proxy: context.proxy.name, service: input.service, removed: false, replicas: [], unlabelled: false}
  const aclName = labelled?.aclName ?? (holders[0]?.live?.[input.service]?.AclName as string | undefined)
  const rows = await Promise.all(
    context.replicas.map(async (replica): Promise<ReplicaRow> => {
      try {
        // The proxy finds the files by the aclName given: this replica's own, where it holds the route.
        const own = views.find((v) => v.replica === replica)?.live?.[input.service]?.AclName
        const answer = await removeService(replica.api, input.service, (typeof own === 'string' && own) || aclName || undefined, cluster.timeoutMs)
        if (answer.outcome !== 'ok') return rowOf(replica, answer.outcome, answer.message)
        const live = await liveServices(replica.api, cluster.timeoutMs)
        return live[input.service] ? rowOf(replica, 'failed', 'answered OK, but still holds the route') : rowOf(replica, 'ok')
      } catch (error) {
        return rowOf(replica, 'unreachable', reasonOf(error))
      }
    }),
  )
  if (service && labelled) await cluster.engine.updateServiceLabels(service.id, labelChanges(service.labels, undefined))
  // A replica not up even after waiting is named: one being replaced comes up without the route, but one pending for another reason may not.
  const result: RouteRmResult = {proxy: context.proxy.name, service: input.service, removed: true, replicas: [...rows, ...pendingRows(context.pending)], unlabelled: Boolean(service && labelled)}
  if (result.replicas.some((r) => r.result !== 'ok')) throw new SwarmnetError(`the route is still on some replicas: ${describeFailures(result.replicas)}`).withDetails(result)
  return result
}
