import type {ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {apiPortOf, isProxyService} from './find.js'

/** docker-flow-proxy's API published on the nodes: it has no authentication (docker-flow-proxy#86). */
export interface ProxyApiWarning {
  code: 'proxy-api-published'
  service: string
  /** The API's port inside the containers. */
  port: number
  publishMode: 'ingress' | 'host'
  /** Where anyone can reach it: "10.213.0.11:8080" (ingress: every node; host: each node running a task). */
  addresses: string[]
  message: string
}

/**
 * Whether the proxy publishes its API port, and where that opens it: through the routing mesh on
 * every node of the swarm; in host mode on each node that runs a task (the port each task reports,
 * else the one the spec asks for). Undefined when the API is not published.
 */
export function apiExposure(proxy: ServiceSummary, tasks: TaskSummary[], nodes: SwarmNode[]): ProxyApiWarning | undefined {
  const port = apiPortOf(proxy)
  const published = proxy.ports.filter((p) => p.targetPort === port && p.protocol === 'tcp' && (p.publishMode === 'host' || (p.publishedPort ?? 0) > 0))
  if (published.length === 0) return undefined
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const addresses = new Set<string>()
  const ingress = published.find((p) => p.publishMode !== 'host')
  if (ingress) {
    for (const node of nodes) if (node.address) addresses.add(hostPort(node.address, ingress.publishedPort!))
  }

  const host = published.find((p) => p.publishMode === 'host')
  if (host) {
    for (const task of tasks.filter((t) => t.serviceId === proxy.id && t.desiredState === 'running')) {
      const address = byId.get(task.nodeId)?.address
      const reported = task.publishedPorts.filter((p) => p.targetPort === port && p.publishMode === 'host' && p.publishedPort).map((p) => p.publishedPort!)
      const ports = reported.length > 0 ? reported : host.publishedPort ? [host.publishedPort] : []
      if (address) for (const p of ports) addresses.add(hostPort(address, p))
    }
  }

  const list = [...addresses].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}))
  const where = list.length > 0 ? list.join(', ') : host ? 'each node that runs a task (none runs yet)' : 'every node (the swarm reports no addresses)'
  return {
    code: 'proxy-api-published',
    service: proxy.name,
    port,
    publishMode: ingress ? 'ingress' : 'host',
    addresses: list,
    message: `${proxy.name}'s API (port ${port}) is published with no authentication on ${where}: anyone who reaches ${list.length === 1 ? 'that address' : 'these addresses'} can add, change or remove routes; \`swarmnet proxy up --update\` without --publish-api closes it (swarmnet reaches each replica over SSH instead)`,
  }
}

/** Every docker-flow-proxy service (by image or swarmnet's label) that publishes its API. */
export function apiExposures(services: ServiceSummary[], tasks: TaskSummary[], nodes: SwarmNode[]): ProxyApiWarning[] {
  return services
    .filter((s) => isProxyService(s))
    .flatMap((s) => apiExposure(s, tasks, nodes) ?? [])
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
