import type {NetworkSummary, ServiceSpec, ServiceSummary} from '../docker/engine.js'
import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, UsageError, reasonOf} from '../core/errors.js'
import {askYesNo, confirmDestructive} from '../ui/interactive.js'
import {LAB_PROXY_IMAGE} from '../lab/detect.js'
import {surveyProxy} from '../route/context.js'
import {type SyncResult, syncRoutes} from '../route/sync.js'
import {desiredRoutes, liveState} from '../route/survey.js'
import {type NotRead, notReadOf} from './accounting.js'
import {type ClientAddressHidden, clientAddressHidden} from './client-address.js'
import {ping} from './client.js'
import {type Convergence, type Converged, waitForConvergence} from './converge.js'
import {type EntryPoint, entryPoints} from './entry-points.js'
import {type ProxyApiWarning, apiExposure} from './exposure.js'
import {apiPortOf, findProxy, proxyNetworks} from './find.js'
import {type Cluster, proxyReplicas, whenReachable} from './replicas.js'
import {type ClusterDefaults, DEFAULT_IMAGE, type ProxyUpInput, type SpecChange, proxySpec, specChanges} from './spec.js'

export interface ProxyUpOptions extends ProxyUpInput {
  update: boolean
  waitTimeoutMs: number
  /** Sync labelled routes onto replicas that lack them: true/false, or undefined to ask on a terminal. */
  sync?: boolean
  json: boolean
  onProgress?: (view: Convergence) => void
}

export interface ProxyUpResult {
  service: string
  /** created, updated, running (as asked), or differs (running, but not as asked; see changes). */
  action: 'created' | 'updated' | 'running' | 'differs'
  changes: SpecChange[]
  spec: ServiceSpec
  network: {name: string; created: boolean}
  /** Why the defaults differ from the book's (no IPVS), when they do. */
  defaultsReason?: string
  /** What runs now (after an update, the new spec; when it differs, the old one). */
  image: string
  mode: string
  running: number
  desired: number
  convergence?: {lastRunningAt?: string; noticedAt: string}
  entryPoints: EntryPoint[]
  api: {port: number; published: 'host' | 'ingress' | 'no'}
  /** The API published (--publish-api): where it is open to anyone. */
  warnings: ProxyApiWarning[]
  routes?: {missing: number; replicasMissing: string[]; sync?: SyncResult}
}

/** On a kernel without IPVS (the lab, or a local engine here) the mesh cannot work: host mode, every node. */
export async function clusterDefaults(cluster: Cluster): Promise<ClusterDefaults> {
  const info = await cluster.engine.info()
  if (info.swarm.state !== 'active') throw new SwarmnetError(`${cluster.engine.target} is not part of an active swarm (state ${info.swarm.state}); run \`docker swarm init\` first`)
  const why = 'this kernel has no IPVS, so the ingress routing mesh cannot work'
  if (cluster.environment.labAddresses.includes(info.swarm.nodeAddr)) return {image: LAB_PROXY_IMAGE, mode: 'global', publishMode: 'host', reason: `the lab: ${why}`}
  if (cluster.engine.target.startsWith('unix://') && !cluster.environment.ipvs) return {image: DEFAULT_IMAGE, mode: 'global', publishMode: 'host', reason: why}
  return {image: DEFAULT_IMAGE, mode: 'replicated', publishMode: 'ingress'}
}

/** Why the defaults differ, saying only what they decided: a value the user gave, or a real image, is not the lab's doing. */
export function defaultsNote(defaults: ClusterDefaults, input: ProxyUpInput, spec: ServiceSpec): string | undefined {
  if (!defaults.reason) return undefined
  const global = input.mode === undefined && input.replicas === undefined && spec.mode === 'global'
  const host = input.publishMode === undefined && spec.ports.some((p) => p.publishMode === 'host')
  const decided = [...(global ? ['the proxy runs on every node (global)'] : []), ...(host ? [`${global ? '' : 'the proxy '}publishes its ports in host mode`] : [])]
  const standIn = repository(spec.image) === repository(LAB_PROXY_IMAGE) ? "; the image is the lab's docker-flow-proxy stand-in" : ''
  if (decided.length === 0 && !standIn) return undefined
  return `${defaults.reason}${decided.length > 0 ? `: ${decided.join(' and ')}` : ''}${standIn}`
}

function repository(image: string): string {
  return image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '')
}

/**
 * The book's `docker service create --name proxy -p 80:80 -p 443:443 -p 8080:8080 --network proxy
 * -e MODE=swarm vfarcic/docker-flow-proxy`, done properly: the network created when missing,
 * SERVICE_NAME set, convergence waited for with the tasks' own errors, every replica's API checked.
 * A second run reports the running proxy; a different spec is shown and applied only with --update.
 */
export async function proxyUp(cluster: Cluster, options: ProxyUpOptions): Promise<ProxyUpResult> {
  const defaults = await clusterDefaults(cluster)
  const spec = proxySpec(options, defaults)
  const [existing, networks] = await Promise.all([cluster.engine.inspectService(options.name), cluster.engine.listNetworks()])
  const changes = existing ? specChanges(existing, spec, networks) : []
  const action = !existing ? 'created' : changes.length === 0 ? 'running' : options.update ? 'updated' : 'differs'
  let networkCreated = false
  let since: string | undefined
  let serviceId = existing?.id
  if (action === 'created' || action === 'updated') {
    networkCreated = await ensureNetwork(cluster, options.network, networks)
    if (existing) {
      await cluster.engine.updateService(existing.id, {...spec, labels: {...existing.labels, ...spec.labels}})
      since = (await cluster.engine.inspectService(existing.id))?.updatedAt
    } else {
      const created = await createService(cluster, spec)
      serviceId = created.id
      networkCreated ||= created.networkCreated
      since = (await cluster.engine.inspectService(serviceId))?.createdAt
    }
  }

  const result: ProxyUpResult = {
    service: options.name, action, changes, spec, network: {name: options.network, created: networkCreated}, defaultsReason: defaultsNote(defaults, options, spec),
    image: existing?.image ?? spec.image, mode: existing?.mode ?? spec.mode, running: 0, desired: 0, entryPoints: [], api: {port: apiPortOf(spec), published: 'no'}, warnings: [],
  }
  let converged: Converged
  try {
    const fresh = action === 'updated' && changes.some((c) => c.field !== 'mode')
    converged = await waitForConvergence(cluster.engine, serviceId!, {timeoutMs: options.waitTimeoutMs, since, fresh, onChange: options.onProgress})
  } catch (error) {
    const view = error instanceof SwarmnetError ? (error.details as Convergence | undefined) : undefined
    const why = view?.desired === 0 && view.errors.length === 0 && spec.constraints.length > 0 ? `; no node satisfies its placement constraints (${spec.constraints.join(', ')})` : ''

    const left = action === 'created' ? `; the service is left as it is for a look (\`docker service ps ${options.name}\`); \`swarmnet proxy down\` removes it` : ''
    throw new SwarmnetError(`proxy ${options.name} ${reasonOf(error)}${why}${left}`).withDetails(result)
  }

  const proxy = (await cluster.engine.inspectService(serviceId!))!
  Object.assign(result, {image: proxy.image, mode: proxy.mode, running: converged.running, desired: converged.desired, convergence: {lastRunningAt: converged.lastRunningAt, noticedAt: converged.noticedAt}})
  const nodes = await cluster.engine.listNodes()
  result.entryPoints = entryPoints(proxy, converged.tasks, nodes)
  result.warnings = [apiExposure(proxy, converged.tasks, nodes) ?? []].flat()
  const apiPort = apiPortOf(proxy)
  const apiPublished = proxy.ports.find((p) => p.targetPort === apiPort && p.publishedPort)
  result.api = {port: apiPort, published: apiPublished ? (apiPublished.publishMode === 'host' ? 'host' : 'ingress') : 'no'}
  await checkApis(cluster, proxy, options.waitTimeoutMs)
  result.routes = await offerSync(cluster, proxy, options)
  return result
}

/**
 * A network removed a moment ago can still be listed by the node (until its last task is gone) while
 * the manager no longer knows it: then it is created after all.
 */
async function createService(cluster: Cluster, spec: ServiceSpec): Promise<{id: string; networkCreated: boolean}> {
  try {
    return {id: await cluster.engine.createService(spec), networkCreated: false}
  } catch (error) {
    if (!/network \S+ not found/.test(reasonOf(error))) throw error
    await cluster.engine.createNetwork({name: spec.networks[0], attachable: true})
    return {id: await cluster.engine.createService(spec), networkCreated: true}
  }
}

async function ensureNetwork(cluster: Cluster, name: string, networks: NetworkSummary[]): Promise<boolean> {
  const found = networks.find((n) => n.name === name)
  if (found) {
    if (found.driver !== 'overlay') throw new UsageError(`network "${name}" exists but is a ${found.driver} network; the proxy needs an overlay network (choose another with --network)`)
    return false
  }

  // Attachable, so swarmnet's diagnostics can run a short-lived helper container on it.
  await cluster.engine.createNetwork({name, attachable: true})
  return true
}

/** Every replica's API must answer before the proxy counts as up: a route sent now must land everywhere. */
async function checkApis(cluster: Cluster, proxy: ServiceSummary, waitMs: number): Promise<void> {
  const {replicas, pending} = await proxyReplicas(cluster, proxy, {waitMs})
  const failures = await Promise.all(
    replicas.map(async (replica) => {
      try {
        const answer = await whenReachable(() => ping(replica.api, cluster.timeoutMs), waitMs)
        return answer.outcome === 'ok' ? undefined : `${replica.node.hostname} (${replica.task}): ${answer.message}`
      } catch (error) {
        return `${replica.node.hostname} (${replica.task}): ${reasonOf(error)}`
      }
    }),
  )
  const failed = [...failures.filter(Boolean), ...pending.map((p) => `${p.node.hostname} (${p.task}): task is ${p.state}${p.error ? `: ${p.error}` : ''}`)]
  if (failed.length > 0) throw new SwarmnetError(`proxy ${proxy.name} runs, but its API does not answer on ${failed.join('; ')}`)
}

/** Replicas that miss labelled routes (a new or restarted replica comes back empty) are offered a sync. */
async function offerSync(cluster: Cluster, proxy: ServiceSummary, options: ProxyUpOptions): Promise<ProxyUpResult['routes']> {
  const context = await surveyProxy(cluster, {proxy: proxy.name, json: options.json, waitMs: options.waitTimeoutMs})
  const {views} = context
  const routes = await desiredRoutes(cluster, context)
  const sendable = routes.filter((r) => !r.problem)
  const lacking = views.filter((view) => sendable.some((route) => liveState(route, view) !== 'live'))
  const missing = sendable.filter((route) => views.some((view) => liveState(route, view) !== 'live')).length
  const summary = {missing, replicasMissing: lacking.map((v) => v.replica.task)}
  if (missing === 0) return summary
  const sync = options.sync ?? (await askYesNo({question: `${missing} labelled route(s) are missing on ${lacking.length} replica(s). Sync them now?`, default: true, json: options.json}))
  if (!sync) return summary
  return {...summary, sync: await syncRoutes(cluster, {proxy: proxy.name, prune: false, dryRun: false, yes: false, json: options.json, concurrency: 4, waitMs: options.waitTimeoutMs}, context)}
}

export interface ProxyStatusReplica {
  node: string
  task: string
  taskId: string
  state: string
  image: string
  /** Host-mode ports this task published, "80, 443". */
  ports: number[]
  api: 'ok' | 'failed' | 'not running'
  message?: string
  via?: string
  target?: string
  note?: string
  routes?: number
}

export interface ProxyStatusResult {
  proxy: {name: string; image: string; mode: string; replicas?: number; ports: ServiceSummary['ports']; networks: string[]}
  replicas: ProxyStatusReplica[]
  /** Replicas whose API answered, of those the proxy should have. */
  read: number
  desired: number
  /** Desired replicas whose API was not read (after waiting), with their state and why. */
  notRead: NotRead[]
  /** Whether every replica that answered holds the same routes (see read/desired for whether all answered). */
  agree: boolean
  /** What differs, e.g. "go-demo: missing on proxy.node-3". */
  differences: string[]
  /** The API published: where it is open to anyone. */
  warnings: ProxyApiWarning[]
  /** Ports published in ingress mode, which hide every client's address; absent when none is. */
  clientAddress?: ClientAddressHidden
}

/** Tasks per node with state, image and ports; per replica whether its API answers and how many routes it holds. */
export async function proxyStatus(cluster: Cluster, options: {proxy?: string; json: boolean; waitMs: number}): Promise<ProxyStatusResult> {
  const context = await surveyProxy(cluster, options)
  const {proxy, views, pending} = context
  const [tasks, nodes] = await Promise.all([cluster.engine.listTasks({service: proxy.id}), cluster.engine.listNodes()])
  const taskById = new Map(tasks.map((t) => [t.id, t]))
  const rows: ProxyStatusReplica[] = [
    ...views.map((view) => {
      const task = taskById.get(view.replica.taskId)
      const {route} = view.replica.api
      return {
        node: view.replica.node.hostname, task: view.replica.task, taskId: view.replica.taskId, state: task?.state ?? view.replica.state, image: task?.image ?? proxy.image,
        // One per port: engines report a host port once per address family.
        ports: [...new Set((task?.publishedPorts ?? []).flatMap((p) => (p.publishedPort ? [p.publishedPort] : [])))].sort((a, b) => a - b),
        api: view.live ? ('ok' as const) : ('failed' as const), ...(view.error ? {message: view.error} : {}),
        via: route.via, target: route.target, ...(route.note ? {note: route.note} : {}), ...(view.live ? {routes: Object.keys(view.live).length} : {}),
      }
    }),
    ...pending.map((p) => ({node: p.node.hostname, task: p.task, taskId: p.taskId, state: p.state, image: taskById.get(p.taskId)?.image ?? proxy.image, ports: [], api: 'not running' as const, ...(p.error ? {message: p.error} : {})})),
  ]
  const differences = compareReplicas(views.filter((v) => v.live).map((v) => ({task: v.replica.task, live: v.live!})))
  const names = new Map(context.networks.map((n) => [n.id, n.name]))
  const clientAddress = clientAddressHidden(proxy)
  return {
    proxy: {name: proxy.name, image: proxy.image, mode: proxy.mode, ...(proxy.mode === 'replicated' ? {replicas: proxy.replicas} : {}), ports: proxy.ports, networks: context.networks.map((n) => names.get(n.id) ?? n.id)},
    replicas: rows,
    read: views.filter((v) => v.live).length,
    desired: context.desired,
    notRead: notReadOf({failed: views.filter((v) => v.error).map((v) => ({replica: v.replica, error: v.error!})), pending}),
    agree: differences.length === 0,
    differences,
    warnings: [apiExposure(proxy, tasks, nodes) ?? []].flat(),
    ...(clientAddress ? {clientAddress} : {}),
  }
}

/** Per route, which replicas lack it or hold another version of it than the others. */
export function compareReplicas(replicas: {task: string; live: Record<string, unknown>}[]): string[] {
  const services = [...new Set(replicas.flatMap((r) => Object.keys(r.live)))].sort()
  return services.flatMap((service) => {
    const missing = replicas.filter((r) => !(service in r.live)).map((r) => r.task)
    const versions = new Set(replicas.filter((r) => service in r.live).map((r) => canonical(r.live[service])))
    return [
      ...(missing.length > 0 ? [`${service}: missing on ${missing.join(', ')}`] : []),
      ...(versions.size > 1 ? [`${service}: replicas hold ${versions.size} different versions`] : []),
    ]
  })
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v))
}

export interface ProxyDownResult {
  service: string
  removed: boolean
  networks: {name: string; removed: boolean; reason?: string}[]
}

/** Removes the proxy service (asked first, default No); its networks only with --network-too and when nothing else uses them. */
export async function proxyDown(cluster: Cluster, options: {proxy?: string; networkToo: boolean; yes: boolean; json: boolean; waitTimeoutMs: number}): Promise<ProxyDownResult> {
  const [services, networks] = await Promise.all([cluster.engine.listServices(), cluster.engine.listNetworks()])
  const proxy = await findProxy(cluster.engine, {name: options.proxy, json: options.json, services})
  const own = proxyNetworks(proxy, networks)
  const also = options.networkToo && own.length > 0 ? ` and network${own.length > 1 ? 's' : ''} ${own.map((n) => n.name).join(', ')}` : ''
  const ok = await confirmDestructive({question: `Remove the proxy service ${proxy.name}${also}? Routes it holds in memory are lost (labels on services stay).`, action: 'proxy down', yes: options.yes, json: options.json})
  if (!ok) return {service: proxy.name, removed: false, networks: []}
  await cluster.engine.removeService(proxy.id)
  const result: ProxyDownResult = {service: proxy.name, removed: true, networks: []}
  if (!options.networkToo) return result
  for (const network of own) {
    const users = services.filter((s) => s.id !== proxy.id && s.networks.some((a) => a.id === network.id)).map((s) => s.name)
    if (users.length > 0) {
      result.networks.push({name: network.name, removed: false, reason: `still used by ${users.join(', ')}`})
      continue
    }

    result.networks.push(await removeNetworkWhenFree(cluster, network, options.waitTimeoutMs))
  }

  return result
}

/** A network is released only once the removed service's tasks are gone: retried until then. */
async function removeNetworkWhenFree(cluster: Cluster, network: NetworkSummary, waitMs: number): Promise<ProxyDownResult['networks'][number]> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      await cluster.engine.removeNetwork(network.id)
      return {name: network.name, removed: true}
    } catch (error) {
      if (Date.now() >= deadline) return {name: network.name, removed: false, reason: `${reasonOf(error)} (after ${formatSeconds(waitMs)})`}
      await new Promise((resolve) => {
        setTimeout(resolve, 500)
      })
    }
  }
}


