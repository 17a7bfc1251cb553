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
