import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {findService} from '../docker/services.js'
import {findProxy, proxyNetworks} from '../proxy/find.js'
import {type Cluster, proxyReplicas} from '../proxy/replicas.js'
import {destinationsOf, paramsFromLabels, proxyDefaults} from '../route/params.js'
import {type LiveState, liveState, readReplicas} from '../route/survey.js'
import {maskUsers} from '../route/users.js'
import {taskName} from '../docker/tasks.js'

export interface ServiceInspection {
  name: string
  id: string
  image: string
  mode: string
  replicas?: number
  endpointMode: string
  networks: {name: string; id: string; vip?: string; onProxyNetwork: boolean}[]
  ports: ServiceSummary['ports']
  tasks: {task: string; id: string; node: string; state: string; desiredState: string; error?: string; ips: Record<string, string>}[]
  /** The service's com.df.* labels (users masked). */
  labels: Record<string, string>
  route: {
    proxy?: string
    /** The route its labels describe, if any. */
    destinations: {index: number; paths: string[]; port: string; domains: string[]}[]
    /** Per proxy replica: live, missing, differs; or, without labels, whether it holds a route at all. */
    replicas: Record<string, LiveState | 'held' | 'none'>
    note?: string
  }
  problems: string[]
}

/**
 * Everything about one service's networking: endpoint mode, VIP per network, published ports and
 * their mode, tasks with node, state and IP per network, its route labels, and whether each proxy
 * replica holds its route. REF is checked by the command (checkServiceRef) before it connects.
 */
export async function inspectService(cluster: Cluster, ref: string, options: {proxy?: string; json: boolean}): Promise<ServiceInspection> {
  const [services, networks, nodes] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks(), cluster.engine.listNodes()])
  const service = await findService(cluster.engine, ref, services)
  const tasks = await cluster.engine.listTasks({service: service.id, desiredState: 'running'})
  let why = 'no proxy service in this swarm'
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services}).catch((error: Error) => {
    if (options.proxy !== undefined) throw error
    why = error.message // e.g. several candidates, and no terminal to pick on
    return undefined
  })
  const shared = proxy ? proxyNetworks(proxy, networks) : []
  const byId = new Map(networks.map((n) => [n.id, n]))
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const inspection: ServiceInspection = {
    name: service.name, id: service.id, image: service.image, mode: service.mode, ...(service.mode === 'replicated' ? {replicas: service.replicas} : {}), endpointMode: service.endpointMode,
    networks: service.networks.map((a) => ({name: byId.get(a.id)?.name ?? a.id, id: a.id, ...(a.vip ? {vip: a.vip} : {}), onProxyNetwork: shared.some((n) => n.id === a.id)})),
    ports: service.ports,
    tasks: tasks.map((t) => taskRow(service, t, nodeMap, byId)).sort((a, b) => a.task.localeCompare(b.task, undefined, {numeric: true})),
    labels: Object.fromEntries(Object.entries(service.labels).filter(([k]) => k.startsWith('com.df.')).map(([k, v]) => [k, k === 'com.df.users' ? maskUsers(v) : v])),
    route: {destinations: [], replicas: {}},
    problems: [],
  }
  if (proxy && proxy.id !== service.id) await addRoute(cluster, inspection, service, proxy, shared)
  else if (!proxy) inspection.route.note = why
  else inspection.route.note = 'this is the proxy'
  if (!tasks.some((t) => t.state === 'running')) inspection.problems.push('no running task')
  return inspection
}

function taskRow(service: ServiceSummary, task: TaskSummary, nodes: Map<string, SwarmNode>, networks: Map<string, NetworkSummary>): ServiceInspection['tasks'][number] {
  return {
    task: taskName(service, task, nodes), id: task.id, node: nodes.get(task.nodeId)?.hostname ?? task.nodeId, state: task.state, desiredState: task.desiredState,
    ...(task.error ? {error: task.error} : {}),
    ips: Object.fromEntries(task.addresses.map((a) => [networks.get(a.networkId)?.name ?? a.networkId, a.address])),
  }
}

async function addRoute(cluster: Cluster, inspection: ServiceInspection, service: ServiceSummary, proxy: ServiceSummary, shared: NetworkSummary[]): Promise<void> {
  inspection.route.proxy = proxy.name
  const params = paramsFromLabels(service.labels)
  if (params) inspection.route.destinations = destinationsOf(params).map(({index, paths, port, domains}) => ({index, paths, port, domains}))
  if (!inspection.networks.some((n) => n.onProxyNetwork)) inspection.problems.push(`not on the proxy's network (${shared.map((n) => n.name).join(', ') || 'none'}): the proxy cannot reach it`)
  const {replicas} = await proxyReplicas(cluster, proxy, {waitMs: 0})
  const views = await readReplicas(cluster, replicas)
  for (const view of views) {
    if (params) inspection.route.replicas[view.replica.task] = liveState({service: service.name, serviceId: service.id, params, defaults: proxyDefaults(proxy.env)}, view)
    else inspection.route.replicas[view.replica.task] = view.live ? (view.live[service.name] ? 'held' : 'none') : 'unknown'
  }

  const lacking = Object.entries(inspection.route.replicas).filter(([, state]) => state === 'missing' || state === 'differs')
  if (lacking.length > 0) inspection.problems.push(`route not as labelled on ${lacking.map(([task, state]) => `${task} (${state})`).join(', ')}: \`swarmnet route sync\``)
  if (!params && Object.values(inspection.route.replicas).some((s) => s === 'held')) inspection.route.note = 'the proxy holds a route to it that no label records (sent by hand?); `swarmnet route add` records one'
}
