import {reasonOf} from '../core/errors.js'
import {type LiveService, liveServices} from '../proxy/client.js'
import type {Cluster, ProxyReplica} from '../proxy/replicas.js'
import {type ProxyContext, labelledRoutes} from './context.js'
import {type ProxyDefaults, type RouteParams, proxyDefaults, sameRoute} from './params.js'

/** What one replica holds right now, or why it could not be asked. */
export interface ReplicaView {
  replica: ProxyReplica
  live?: Record<string, LiveService>
  error?: string
}

/** Every replica's routes, read concurrently. */
export async function readReplicas(cluster: Cluster, replicas: ProxyReplica[]): Promise<ReplicaView[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      try {
        return {replica, live: await liveServices(replica.api, cluster.timeoutMs, cluster.timeoutMs)}
      } catch (error) {
        return {replica, error: reasonOf(error)}
      }
    }),
  )
}

export type LiveState = 'live' | 'missing' | 'differs' | 'unknown'

/** A labelled route and whether the service can take traffic at all. */
export interface DesiredRoute {
  service: string
  serviceId: string
  params: RouteParams
  /** How this proxy's own settings change what it holds (HTTPS_ONLY, USERS). */
  defaults: ProxyDefaults
  /** Why the proxy could not route to it now (not on its network, nothing running); such routes are not sent. */
  problem?: string
}

/** The labelled routes, each checked against the swarm: on the proxy's network, with a running task. */
export async function desiredRoutes(cluster: Cluster, context: ProxyContext): Promise<DesiredRoute[]> {
  const defaults = proxyDefaults(context.proxy.env)
  const running = new Set((await cluster.engine.listTasks({desiredState: 'running'})).filter((t) => t.state === 'running').map((t) => t.serviceId))
  return labelledRoutes(context.services)
    .filter(({service}) => service.id !== context.proxy.id)
    .map(({service, params}) => {
      const onNetwork = service.networks.some((a) => context.networks.some((n) => n.id === a.id))
      const problem = !onNetwork ? `not on the proxy's network (${context.networks.map((n) => n.name).join(', ')})` : running.has(service.id) ? undefined : 'no running task'
      return {service: service.name, serviceId: service.id, params, defaults, ...(problem ? {problem} : {})}
    })
    .sort((a, b) => a.service.localeCompare(b.service))
}

export function liveState(route: DesiredRoute, view: ReplicaView): LiveState {
  if (!view.live) return 'unknown'
  const held = view.live[route.service]
  if (!held) return 'missing'
  return sameRoute(route.service, route.params, held, route.defaults) ? 'live' : 'differs'
}
