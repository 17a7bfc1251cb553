import type {ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import type {Cluster} from '../docker/cluster.js'
import {taskName} from '../tasks.js'
import {apiPortOf} from './find.js'
import {ConnectFailed} from './http.js'
import {ReplicaApi} from './replica-api.js'

export type {Cluster} from '../docker/cluster.js'
export {ReplicaApi, type ApiRoute} from './replica-api.js'

export type NodeRef = Pick<SwarmNode, 'id' | 'hostname' | 'address'>

/** One task of the proxy service and the way to its API. */
export interface ProxyReplica {
  taskId: string
  /** "proxy.1" for replicated tasks, "proxy.node-2" for global ones, like `docker service ps`. */
  task: string
  node: NodeRef
  state: string
  /** The task's container, on its node. */
  containerId?: string
  api: ReplicaApi
}

/** A task that should run but does not (yet): reported, never silently skipped. */
export interface PendingReplica {
  taskId: string
  task: string
  node: NodeRef
  state: string
  error?: string
}

const TRANSITIONAL = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'])

/**
 * The proxy's replicas: every task Swarm wants running. Tasks still starting are waited for (up to
 * `waitMs`), since a replica that comes up after a route was sent is exactly the one that misses it.
 */
export async function proxyReplicas(cluster: Cluster, proxy: ServiceSummary, options: {waitMs?: number} = {}): Promise<{replicas: ProxyReplica[]; pending: PendingReplica[]}> {
  const deadline = Date.now() + (options.waitMs ?? cluster.timeoutMs)
  const [nodeList, first] = await Promise.all([cluster.engine.listNodes(), cluster.engine.listTasks({service: proxy.id, desiredState: 'running'})])
  const nodes = new Map(nodeList.map((n) => [n.id, n]))
  let tasks = first
  while (tasks.some((t) => TRANSITIONAL.has(t.state)) && Date.now() < deadline) {
    await new Promise((resolve) => {
      setTimeout(resolve, 250)
    })
    tasks = await cluster.engine.listTasks({service: proxy.id, desiredState: 'running'})
  }

  const port = apiPortOf(proxy)
  const replicas: ProxyReplica[] = []
  const pending: PendingReplica[] = []
  for (const task of tasks.sort(byTaskName(proxy, nodes))) {
    const node = nodeRef(nodes.get(task.nodeId), task.nodeId)
    const name = taskName(proxy, task, nodes)
    if (task.state === 'running') replicas.push({taskId: task.id, task: name, node, state: task.state, containerId: task.containerId, api: new ReplicaApi(cluster, node, task, port)})
    else pending.push({taskId: task.id, task: name, node, state: task.state, error: task.error})
  }

  return {replicas, pending}
}

function nodeRef(node: SwarmNode | undefined, id: string): NodeRef {
  return node ? {id: node.id, hostname: node.hostname, address: node.address} : {id, hostname: id.slice(0, 12), address: ''}
}

function byTaskName(service: ServiceSummary, nodes: Map<string, SwarmNode>) {
  return (a: TaskSummary, b: TaskSummary) => taskName(service, a, nodes).localeCompare(taskName(service, b, nodes), undefined, {numeric: true})
}

/** Retries `attempt` while it fails to connect (a replica that is still starting), until `deadlineMs` passes. */
export async function whenReachable<T>(attempt: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof ConnectFailed) || Date.now() >= deadline) throw error
      await new Promise((resolve) => {
        setTimeout(resolve, 300)
      })
    }
  }
}
