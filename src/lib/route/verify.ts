import {reasonOf} from '../core/errors.js'
import {entryPoints} from '../proxy/entry-points.js'
import {httpGet} from '../proxy/http.js'
import type {Cluster} from '../proxy/replicas.js'
import type {ProxyContext} from './context.js'
import type {Destination} from './params.js'

export interface VerifyRow {
  node: string
  url: string
  mode: 'host' | 'ingress'
  status?: number
  latencyMs?: number
  /** The request reached a backend: any answer but the proxy's own 502/503/504. */
  ok: boolean
  message: string
}

/**
 * Requests the route through the proxy on every node that publishes its HTTP port, as a user's
 * browser would. A 404 from the service still proves the route; 503 is the proxy finding no backend.
 */
export async function verifyRoute(cluster: Cluster, context: ProxyContext, destinations: Destination[], path?: string): Promise<VerifyRow[]> {
  const dest = destinations.find((d) => d.reqMode === 'http') ?? destinations[0]
  const [tasks, nodes] = await Promise.all([cluster.engine.listTasks({service: context.proxy.id, desiredState: 'running'}), cluster.engine.listNodes()])
  const port = dest?.srcPort ?? 80
  const points = entryPoints(context.proxy, tasks, nodes).filter((p) => p.targetPort === port)
  if (points.length === 0) return [{node: '-', url: '-', mode: 'host', ok: false, message: `the proxy publishes no port for ${port}`}]
  const host = dest?.domains[0]?.replace(/^\*/, 'swarmnet')
  const urlPath = path ?? dest?.paths[0] ?? '/'
  return Promise.all(
    points.map(async (point) => {
      const url = `http://${point.address}:${point.publishedPort}${urlPath}`
      const started = performance.now()
      try {
        const answer = await httpGet(url, {connectTimeoutMs: cluster.timeoutMs, timeoutMs: cluster.timeoutMs, headers: host ? {host} : undefined})
        const latencyMs = Math.round(performance.now() - started)
        const ok = ![502, 503, 504].includes(answer.status)
        return {node: point.node, url, mode: point.mode, status: answer.status, latencyMs, ok, message: `${answer.status}${ok ? '' : ' from the proxy: no backend answered'}`}
      } catch (error) {
        const hint = point.mode === 'ingress' ? ' (an ingress port needs the routing mesh, which needs IPVS on the node)' : ''
        return {node: point.node, url, mode: point.mode, ok: false, message: `${reasonOf(error)}${hint}`}
      }
    }),
  )
}
