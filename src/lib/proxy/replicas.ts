import type {Engine, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import type {Cluster} from '../docker/cluster.js'
import {SwarmnetError, oneLine, reasonOf} from '../errors.js'
import {taskName} from '../tasks.js'
import {apiPortOf} from './find.js'
import {ConnectFailed, type HttpAnswer, httpGet, isWholeResponse, parseRawResponse, rawGetRequest} from './http.js'

export type {Cluster} from '../docker/cluster.js'

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

/** How a replica's API was reached, for --verbose and --json. */
export interface ApiRoute {
  via: 'published-port' | 'docker-exec'
  /** "http://10.213.0.12:8080", or "docker exec <container> on ssh://root@10.213.0.12:22". */
  target: string
  /** Why the published port was not used, when there is one. */
  note?: string
}


/**
 * One replica's API, reached without an ingress-published port (which lands on a random replica):
 * the port this task published in host mode on its node, when there is one; otherwise the Docker API
 * of the task's node, running the request inside the container (nc, which the real image's busybox
 * has). A published port that cannot be connected to falls back to the Docker API, safely, since
 * nothing was sent.
 */
export class ReplicaApi {
  private current: ApiRoute
  private execTarget?: Promise<{engine: Engine; containerId: string}>

  constructor(
    private readonly cluster: Cluster,
    private readonly node: NodeRef,
    private readonly task: TaskSummary,
    private readonly port: number,
  ) {
    const published = task.publishedPorts.find((p) => p.targetPort === port && p.publishMode === 'host' && p.protocol === 'tcp' && p.publishedPort)
    this.current =
      published && node.address
        ? {via: 'published-port', target: `http://${hostPort(node.address, published.publishedPort!)}`}
        : {via: 'docker-exec', target: `docker exec in task ${task.id.slice(0, 12)}`, note: `port ${port} is not published in host mode`}
  }

  get route(): ApiRoute {
    return this.current
  }

  /** GET pathAndQuery on the API; `timeoutMs` bounds the answer (reconfigure can take the proxy ~20 s to refuse). */
  async get(pathAndQuery: string, timeoutMs: number): Promise<HttpAnswer> {
    if (this.current.via === 'docker-exec') return this.viaExec(pathAndQuery, timeoutMs)
    const port = this.current
    try {
      return await httpGet(`${port.target}${pathAndQuery}`, {connectTimeoutMs: this.cluster.timeoutMs, timeoutMs})
    } catch (error) {
      if (!(error instanceof ConnectFailed)) throw error
      // The Docker way is kept only once it works: a replica still starting refuses both for a moment.
      try {
        const answer = await this.viaExec(pathAndQuery, timeoutMs)
        this.current = {...this.current, note: `${port.target} did not answer (${error.message})`}
        return answer
      } catch (execError) {
        this.current = port
        if (execError instanceof ConnectFailed) throw execError
        throw new ConnectFailed(`${port.target}: ${error.message}; through Docker: ${reasonOf(execError)}`)
      }
    }
  }

  private async viaExec(pathAndQuery: string, timeoutMs: number): Promise<HttpAnswer> {
    this.execTarget ??= this.cluster.nodeEngines().then(async (nodes) => {
      if (!this.task.containerId) throw new SwarmnetError(`task ${this.task.id.slice(0, 12)} reports no container yet`)
      const route = await nodes.forNode(this.node)
      return {engine: route.engine, containerId: this.task.containerId}
    })
    const {engine, containerId} = await this.execTarget
    this.current = {via: 'docker-exec', target: `docker exec in ${containerId.slice(0, 12)} on ${engine.target}`, ...(this.current.note ? {note: this.current.note} : {})}
    // The request goes to nc's stdin, kept open until the answer is complete (nc hangs up on EOF).
    const output = await engine.exec(containerId, ['nc', '127.0.0.1', String(this.port)], {timeoutMs, input: rawGetRequest(pathAndQuery), done: isWholeResponse})
    const answer = parseRawResponse(output.stdout)
    if (answer) return answer
    if (output.exitCode === 126 || output.exitCode === 127) {
      throw new SwarmnetError(`cannot run nc in the proxy's container (${oneLine(output.stdout.toString() || output.stderr) || `exit ${output.exitCode}`}); publish port ${this.port} in host mode instead`)
    }

    const said = oneLine(output.stderr || output.stdout.toString())
    throw new ConnectFailed(`nothing answers on port ${this.port} inside the container${said ? ` (${said})` : ''}`)
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
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
