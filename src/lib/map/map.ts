import type {Cluster} from '../docker/cluster.js'
import type {ServiceSummary, SwarmNode} from '../docker/engine.js'
import {SwarmnetError} from '../core/errors.js'
import {type NotRead, notReadOf, readEveryReplica} from '../proxy/accounting.js'
import {type LiveService, liveServices} from '../proxy/client.js'
import {entryPoints} from '../proxy/entry-points.js'
import {type ClientAddressHidden, clientAddressHidden} from '../proxy/client-address.js'
import {apiPortOf, findProxy, proxyNetworks} from '../proxy/find.js'
import {paramsFromLabels} from '../route/params.js'
import type {ReplicaView} from '../route/survey.js'
import {taskName} from '../docker/tasks.js'

/** How a request travels: entry points → proxy replicas → routes → services → tasks. */
export interface SwarmMap {
  proxy: {name: string; mode: string; image: string}
  entryPoints: {node: string; address: string; ports: number[]; mode: 'host' | 'ingress'; replica?: string}[]
  /** `via`: how swarmnet reached the replica's API (published-port, ssh-tunnel or docker-exec). */
  replicas: {task: string; node: string; via?: string; routes: string[]; error?: string}[]
  /**
   * Replicas whose routes were read, of those the proxy should have; the others are named in notRead
   * (and problems). Always set by swarmMap (optional only so hand-made maps need not).
   */
  read?: number
  desired?: number
  notRead?: NotRead[]
  routes: MapRoute[]
  services: MapService[]
  problems: Problem[]
  /** The proxy's ports published in ingress mode, which hide every client's address; absent when none is. */
  clientAddress?: ClientAddressHidden
}

/** One destination of a route, as a replica holds it. */
interface LiveDestination {
  index: number
  paths: string[]
  domains: string[]
  port: string
  srcPort?: number
  reqMode: string
}

export interface MapRoute extends LiveDestination {
  /** "go-demo#0": the service and the route's destination index. */
  key: string
  service: string
  /** Replicas that hold it; the others lack it. */
  heldBy: string[]
  missingOn: string[]
  /** Replicas holding another version of it (other paths, port...) than the first holder. */
  differsOn: string[]
  labelled: boolean
}

export interface MapService {
  name: string
  exists: boolean
  mode?: string
  endpointMode?: string
  onProxyNetwork: boolean
  tasks: {task: string; node: string; state: string; ip?: string}[]
}

export interface Problem {
  /** What it is about: a route key, a service name, a replica's task name, or an entry point. */
  subject: string
  message: string
}

/** Everything the picture needs, asked of the manager and of every proxy replica concurrently. */
export async function swarmMap(cluster: Cluster, options: {proxy?: string; json: boolean; waitMs?: number}): Promise<SwarmMap> {
  const [services, networks, nodes] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks(), cluster.engine.listNodes()])
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services})
  // Every replica the proxy should have, waited for (up to --wait) until its routes are read.
  const accounted = await readEveryReplica(cluster, proxy, (replica) => liveServices(replica.api, cluster.timeoutMs), {waitMs: options.waitMs ?? 0})
  const {pending} = accounted
  if (accounted.desired === 0) throw new SwarmnetError(`the proxy service ${proxy.name} has no task that should run (scaled to 0?)`)
  const views: ReplicaView[] = [...accounted.read.map(({replica, value}) => ({replica, live: value})), ...accounted.failed.map(({replica, error}) => ({replica, error}))]
  views.sort((a, b) => a.replica.task.localeCompare(b.replica.task, undefined, {numeric: true}))
  const replicas = views.map((v) => v.replica)
  const tasks = await cluster.engine.listTasks({desiredState: 'running'})
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const shared = proxyNetworks(proxy, networks)
  const problems: Problem[] = []

  const routes = new Map<string, MapRoute>()
  const signature = (d: LiveDestination) => JSON.stringify([d.paths, d.domains, d.port, d.srcPort, d.reqMode])
  for (const view of views) {
    for (const [service, live] of Object.entries(view.live ?? {})) {
      for (const dest of destinationsOf(live)) {
        const key = `${service}#${dest.index}`
        const route = routes.get(key) ?? {key, service, ...dest, heldBy: [], missingOn: [], differsOn: [], labelled: false}
        // The first holder's version is drawn; a replica holding another one is named.
        if (route.heldBy.length > 0 && signature(route) !== signature(dest)) route.differsOn.push(view.replica.task)
        route.heldBy.push(view.replica.task)
        routes.set(key, route)
      }
    }
  }

  for (const service of services) {
    if (!paramsFromLabels(service.labels) || service.id === proxy.id) continue
    const held = [...routes.values()].some((r) => r.service === service.name)
    for (const route of routes.values()) if (route.service === service.name) route.labelled = true
    // Only when some replica could be read: otherwise nothing is known of what they hold.
    if (!held && views.some((v) => v.live)) problems.push({subject: service.name, message: 'labelled with a route that no replica holds: `swarmnet route sync`'})
  }

  const readable = views.filter((v) => v.live).map((v) => v.replica.task)
  for (const route of routes.values()) {
    route.missingOn = readable.filter((task) => !route.heldBy.includes(task))
    if (route.differsOn.length > 0) problems.push({subject: route.key, message: `${route.differsOn.join(', ')} hold${route.differsOn.length === 1 ? 's' : ''} another version of it than ${route.heldBy[0]}: \`swarmnet route sync\``})
    if (route.missingOn.length > 0) problems.push({subject: route.key, message: `missing on ${route.missingOn.join(', ')}: requests through ${route.missingOn.length === 1 ? 'it get' : 'them get'} 503`})
  }

  const routed = [...new Set([...routes.values()].map((r) => r.service))].sort()
  const mapServices = routed.map((name) => mapService(name, services, tasks, nodeMap, shared.map((n) => n.id)))
  for (const service of mapServices) {
    if (!service.exists) problems.push({subject: service.name, message: 'no such service: the proxy routes to a name that does not resolve (503)'})
    else if (!service.onProxyNetwork) problems.push({subject: service.name, message: `not on the proxy's network (${shared.map((n) => n.name).join(', ')}): the proxy cannot reach it`})
    else if (!service.tasks.some((t) => t.state === 'running')) problems.push({subject: service.name, message: 'no running task: the proxy answers 503'})
  }

  for (const view of views.filter((v) => v.error)) problems.push({subject: view.replica.task, message: `its API did not answer: ${view.error}`})
  for (const p of pending) problems.push({subject: p.task, message: `not running (${p.state}${p.error ? `: ${p.error}` : ''})`})

  const proxyTasks = tasks.filter((t) => t.serviceId === proxy.id)
  const api = apiPortOf(proxy)
  const points = groupPoints(entryPoints(proxy, proxyTasks, nodes).filter((p) => p.targetPort !== api), replicas.map((r) => ({task: r.task, node: r.node.hostname})))
  if (points.some((p) => p.mode === 'ingress') && nodes.some((n) => cluster.environment.labAddresses.includes(n.address))) {
    problems.push({subject: 'ingress', message: 'ports published through the routing mesh answer nowhere here: this kernel has no IPVS'})
  }

  // Said on the ingress entry points, where the mesh takes the client's address.
  const clientAddress = clientAddressHidden(proxy)
  if (clientAddress) problems.push({subject: 'ingress', message: `${clientAddress.message}; ${clientAddress.fix}`})

  return {
    proxy: {name: proxy.name, mode: proxy.mode, image: proxy.image},
    entryPoints: points,
    replicas: views.map((v) => ({task: v.replica.task, node: v.replica.node.hostname, via: v.replica.api.route.via, routes: [...routes.values()].filter((r) => r.heldBy.includes(v.replica.task)).map((r) => r.key).sort((a, b) => a.localeCompare(b, undefined, {numeric: true})), ...(v.error ? {error: v.error} : {})})),
    read: accounted.read.length,
    desired: accounted.desired,
    notRead: notReadOf(accounted),
    routes: [...routes.values()].sort((a, b) => a.key.localeCompare(b.key, undefined, {numeric: true})),
    services: mapServices,
    problems,
    ...(clientAddress ? {clientAddress} : {}),
  }
}

function destinationsOf(live: LiveService): LiveDestination[] {
  return (live.ServiceDest ?? []).map((d, i) => ({
    index: Number(d.Index ?? i),
    paths: Array.isArray(d.ServicePath) ? d.ServicePath.map(String) : [],
    domains: Array.isArray(d.ServiceDomain) ? d.ServiceDomain.map(String) : [],
    port: String(d.Port ?? ''),
    ...(Number(d.SrcPort) > 0 ? {srcPort: Number(d.SrcPort)} : {}),
    reqMode: String(d.ReqMode || 'http'),
  }))
}

function mapService(name: string, services: ServiceSummary[], tasks: {serviceId: string; nodeId: string; state: string; id: string; slot?: number; addresses: {networkId: string; address: string}[]}[], nodes: Map<string, SwarmNode>, proxyNetworkIds: string[]): MapService {
  const service = services.find((s) => s.name === name)
  if (!service) return {name, exists: false, onProxyNetwork: false, tasks: []}
  const networkId = service.networks.find((a) => proxyNetworkIds.includes(a.id))?.id
  return {
    name, exists: true, mode: service.mode, endpointMode: service.endpointMode, onProxyNetwork: networkId !== undefined,
    tasks: tasks
      .filter((t) => t.serviceId === service.id)
      .map((t) => ({task: taskName(service, t, nodes), node: nodes.get(t.nodeId)?.hostname ?? t.nodeId, state: t.state, ...(networkId ? {ip: t.addresses.find((a) => a.networkId === networkId)?.address} : {})}))
      .sort((a, b) => a.task.localeCompare(b.task, undefined, {numeric: true})),
  }
}

/** One entry per node and mode, with its ports; host-mode ones lead to that node's own replica. */
function groupPoints(points: ReturnType<typeof entryPoints>, replicas: {task: string; node: string}[]): SwarmMap['entryPoints'] {
  const grouped = new Map<string, SwarmMap['entryPoints'][number]>()
  for (const point of points) {
    const key = `${point.address}/${point.mode}`
    const entry = grouped.get(key) ?? {node: point.node, address: point.address, ports: [], mode: point.mode, ...(point.mode === 'host' ? {replica: replicas.find((r) => r.node === point.node)?.task} : {})}
    if (!entry.ports.includes(point.publishedPort)) entry.ports.push(point.publishedPort)
    grouped.set(key, entry)
  }

  return [...grouped.values()]
}
