import type {ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import type {Cluster} from '../docker/cluster.js'
import {taskName} from '../docker/tasks.js'
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

/**
 * A replica Swarm wants that cannot be read (yet): its task is not running, or has no container yet,
 * or Swarm has not even made it (`taskId` "" then, right after a container died, or a slot still to
 * fill). Reported by name, never silently skipped.
 */
export interface PendingReplica {
  /** "" when Swarm has not made the task yet. */
  taskId: string
  task: string
  node: NodeRef
  /** The task's state, or "not created". */
  state: string
  error?: string
}

/** Every replica the proxy should have: those that can be asked now, those that cannot, and how many there should be. */
export interface ReplicaSet {
  replicas: ProxyReplica[]
  pending: PendingReplica[]
  /**
   * How many replicas should run (M in "N of M"): the service's desired task count, or more when more
   * tasks should run (one per slot or node). It never shrinks while a replacement is being made.
   */
  desired: number
}

/** Desired states of a task that is, or is about to be, wanted running (a replacement waits in "ready" for its restart delay). */
const WANTED = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'])

/**
 * The proxy's replicas: every task Swarm wants running, including a replacement still waiting out its
 * restart delay, and a placeholder for each desired replica that has no task at all. Waits (up to
 * `waitMs`) until every one can be asked: a task that runs, or is `starting` with its container up (a
 * healthcheck only delays its health; the container, and what it holds, are the ones it will serve with).
 */
export async function proxyReplicas(cluster: Cluster, proxy: ServiceSummary, options: {waitMs?: number} = {}): Promise<ReplicaSet> {
  const deadline = Date.now() + (options.waitMs ?? cluster.timeoutMs)
  const nodes = new Map((await cluster.engine.listNodes()).map((n) => [n.id, n]))
  for (;;) {
    const set = await replicaSet(cluster, proxy, nodes)
    if (set.pending.length === 0 || Date.now() >= deadline) return set
    await new Promise((resolve) => {
      setTimeout(resolve, 250)
    })
  }
}

/** Whether a task can be asked now: running, or starting with its container up. */
export function canAsk(task: Pick<TaskSummary, 'state' | 'containerId'>): boolean {
  return task.state === 'running' || (task.state === 'starting' && Boolean(task.containerId))
}

async function replicaSet(cluster: Cluster, proxy: ServiceSummary, nodes: Map<string, SwarmNode>): Promise<ReplicaSet> {
  const [services, all] = await Promise.all([cluster.engine.listServices({status: true}), cluster.engine.listTasks({service: proxy.id})])
  const service = services.find((s) => s.id === proxy.id) ?? proxy
  const tasks = all.filter((t) => t.serviceId === proxy.id && WANTED.has(t.desiredState))
  // One replica per slot (replicated) or node (global): a start-first update's second task is not another replica.
  const keyOf = (t: TaskSummary) => (service.mode === 'global' ? `n:${t.nodeId}` : `s:${t.slot ?? t.id}`)
  const keys = new Set(tasks.map(keyOf))
  const fallback = service.mode === 'replicated' ? (service.replicas ?? 0) : 0
  const desired = Math.max(service.status?.desired ?? fallback, keys.size)
  const port = apiPortOf(proxy)
  const replicas: ProxyReplica[] = []
  const pending: PendingReplica[] = []
  for (const task of tasks.sort(byTaskName(proxy, nodes))) {
    const node = nodeRef(nodes.get(task.nodeId), task.nodeId)
    const name = taskName(proxy, task, nodes)
    if (canAsk(task)) replicas.push({taskId: task.id, task: name, node, state: task.state, containerId: task.containerId, api: new ReplicaApi(cluster, node, task, port)})
    else pending.push({taskId: task.id, task: name, node, state: task.state, ...(task.error ? {error: task.error} : {})})
  }

  // Desired replicas without any task yet: named by their free slots when replicated.
  const freeSlots = Array.from({length: desired}, (_, i) => i + 1).filter((slot) => !keys.has(`s:${slot}`))
  for (let i = keys.size; i < desired; i++) {
    const slot = service.mode === 'replicated' ? freeSlots.shift() : undefined
    pending.push({taskId: '', task: slot === undefined ? `${proxy.name} (replica ${i + 1} of ${desired})` : `${proxy.name}.${slot}`, node: nodeRef(undefined, ''), state: 'not created', error: 'Swarm has not made its task yet'})
  }

  return {replicas, pending, desired}
}

function nodeRef(node: SwarmNode | undefined, id: string): NodeRef {
  return node ? {id: node.id, hostname: node.hostname, address: node.address} : {id, hostname: id ? id.slice(0, 12) : '(no node yet)', address: ''}
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
