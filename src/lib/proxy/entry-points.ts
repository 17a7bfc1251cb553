import type {PortSpec, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'

/** Where a published port of the proxy can be reached from outside: a node address and port. */
export interface EntryPoint {
  node: string
  address: string
  targetPort: number
  publishedPort: number
  mode: 'host' | 'ingress'
}

/**
 * Host-mode ports answer only on the nodes running a task (each task says which port it got);
 * ingress ports answer on every node, through the routing mesh (which needs IPVS).
 */
export function entryPoints(proxy: ServiceSummary, tasks: TaskSummary[], nodes: SwarmNode[]): EntryPoint[] {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const points: EntryPoint[] = []
  for (const task of tasks.filter((t) => t.state === 'running')) {
    const node = byId.get(task.nodeId)
    for (const port of task.publishedPorts.filter(isPublished)) {
      if (port.publishMode === 'host' && node) points.push({node: node.hostname, address: node.address, targetPort: port.targetPort, publishedPort: port.publishedPort!, mode: 'host'})
    }
  }

  for (const port of proxy.ports.filter((p) => p.publishMode === 'ingress' && isPublished(p))) {
    for (const node of nodes.filter((n) => n.status === 'ready')) points.push({node: node.hostname, address: node.address, targetPort: port.targetPort, publishedPort: port.publishedPort!, mode: 'ingress'})
  }

  // Engines report a host port once per address family; one entry is enough.
  const unique = new Map(points.map((p) => [`${p.address}/${p.targetPort}/${p.publishedPort}/${p.mode}`, p]))
  return [...unique.values()].sort((a, b) => a.targetPort - b.targetPort || a.node.localeCompare(b.node, undefined, {numeric: true}))
}

function isPublished(port: PortSpec): boolean {
  return port.protocol === 'tcp' && port.publishedPort !== undefined && port.publishedPort > 0
}
