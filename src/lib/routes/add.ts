import type {ServiceSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError, reasonOf} from '../errors.js'
import {askText, canPrompt, chooseOne} from '../interactive.js'
import {type ProxyAnswer, liveServices, maskSecrets, reconfigure} from '../proxy/client.js'
import type {Cluster, ProxyReplica} from '../proxy/replicas.js'
import {type ProxyContext, type ReplicaRow, describeFailures, loadProxy, pendingRows, rowOf} from './context.js'
import {
  MAX_INDEX, type RouteParams, destinationsOf, isDestinationParam, isRouteParam, labelChanges, paramsFromLabels, parsePaths, parsePort, reconfigureParams, sameRoute,
} from './params.js'
import {hashUsers, shown} from './users.js'
import {type VerifyRow, verifyRoute} from './verify.js'

/** What the user asked for, as typed (checked by checkRouteInput before anything connects). */
export interface RouteAddInput {
  service?: string
  paths: string[]
  port?: string
  proxy?: string
  portIndex?: string
  domains: string[]
  srcPort?: string
  reqMode?: string
  pathType?: string
  httpsOnly: boolean
  aclName?: string
  users?: string
  params: string[]
  verify: boolean
  verifyPath?: string
  json: boolean
}

export interface RouteAddResult {
  proxy: string
  service: string
  /** The route as sent and as labelled (users masked). */
  params: RouteParams
  replicas: ReplicaRow[]
  labelled: boolean
  verify?: VerifyRow[]
}

const REQ_MODES = ['http', 'tcp', 'sni']
/** HAProxy's path fetches (the proxy writes `acl url_... <pathType> <path>`). */
const PATH_TYPES = ['path', 'path_beg', 'path_dir', 'path_dom', 'path_end', 'path_len', 'path_reg', 'path_sub']
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const DOMAIN = /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/
const ACL_NAME = /^[a-zA-Z0-9_.-]+$/
/** Parameters that have their own argument or flag, or that swarmnet decides. */
const NOT_PARAMS: Record<string, string> = {
  serviceName: 'use SERVICE', servicePath: 'use PATH', port: 'use PORT', serviceDomain: 'use --domain', srcPort: 'use --src-port', reqMode: 'use --req-mode',
  pathType: 'use --path-type', httpsOnly: 'use --https-only', aclName: 'use --acl-name', users: 'use --users', usersPassEncrypted: 'use --users (it hashes plain passwords)',
  distribute: 'swarmnet sends the route to every replica itself', replicas: 'it would remove the route when 0',
}

/** The route's own parameters from the flags, at index `index` (0 = un-indexed); every value checked. */
export async function routeFromInput(input: RouteAddInput & {service: string; port: string}, index: number): Promise<RouteParams> {
  const suffix = index > 0 ? `.${index}` : ''
  const own: RouteParams = {}
  const dest = (name: string, value: string | undefined) => {
    if (value !== undefined) own[name + suffix] = value
  }

  dest('servicePath', parsePaths(input.paths).join(','))
  dest('port', String(parsePort(input.port, 'PORT')))
  if (input.domains.length > 0) {
    const domains = input.domains.flatMap((d) => d.split(',')).map((d) => d.trim())
    for (const domain of domains) if (!DOMAIN.test(domain)) throw new UsageError(`invalid --domain "${domain}": expected a host name like example.com or *.example.com`)
    dest('serviceDomain', domains.join(','))
  }

  if (input.srcPort !== undefined) dest('srcPort', String(parsePort(input.srcPort, '--src-port')))
  if (input.reqMode !== undefined) {
    if (!REQ_MODES.includes(input.reqMode)) throw new UsageError(`invalid --req-mode "${input.reqMode}": expected one of ${REQ_MODES.join(', ')}`)
    dest('reqMode', input.reqMode)
  }

  if (input.pathType !== undefined) {
    if (!PATH_TYPES.includes(input.pathType)) throw new UsageError(`invalid --path-type "${input.pathType}": expected one of ${PATH_TYPES.join(', ')}`)
    dest('pathType', input.pathType)
  }

  if (input.httpsOnly) dest('httpsOnly', 'true')
  if (input.aclName !== undefined) {
    if (!ACL_NAME.test(input.aclName)) throw new UsageError(`invalid --acl-name "${input.aclName}": expected letters, digits, "_", "." or "-"`)
    own.aclName = input.aclName
  }

  for (const pair of input.params) {
    const eq = pair.indexOf('=')
    const name = eq > 0 ? pair.slice(0, eq) : ''
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new UsageError(`invalid --param "${maskSecrets(pair)}": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60`)
    if (NOT_PARAMS[name]) throw new UsageError(`--param ${name} is not accepted: ${NOT_PARAMS[name]}`)
    if (isDestinationParam(name)) dest(name, pair.slice(eq + 1))
    else own[name] = pair.slice(eq + 1)
  }

  if (input.users !== undefined) {
    own.users = await hashUsers(input.users)
    own.usersPassEncrypted = 'true'
  }

  return own
}

/** Checks SERVICE, PORT, --port-index and every flag's value, before anything connects. */
export async function checkRouteInput(input: RouteAddInput): Promise<{index: number}> {
  const missing = input.service === undefined ? 'SERVICE' : input.paths.length === 0 ? 'PATH' : input.port === undefined ? 'PORT' : undefined
  if (missing && !canPrompt({json: input.json})) throw new UsageError(`missing argument ${missing}; pass it on the command line (no terminal to ask on)`)
  if (input.service !== undefined && !SERVICE_NAME.test(input.service)) throw new UsageError(`invalid SERVICE "${input.service}": expected a service name (letters, digits, "_", "." or "-")`)
  let index = 0
  if (input.portIndex !== undefined) {
    index = /^\d+$/.test(input.portIndex) ? Number(input.portIndex) : 0
    if (index < 1 || index > MAX_INDEX) throw new UsageError(`invalid --port-index "${input.portIndex}": expected a whole number from 1 to ${MAX_INDEX}`)
  }

  if (input.paths.length > 0 || input.port !== undefined) {
    // What can be checked without the cluster is checked now (the rest once SERVICE/PATH/PORT are known).
    await routeFromInput({...input, service: input.service ?? 'x', paths: input.paths.length > 0 ? input.paths : ['/'], port: input.port ?? '1'}, index)
  }

  return {index}
}

/**
 * The book's reconfigure call, made safe: checked first (nothing is sent when a check fails), sent
 * to every replica of the proxy (never to whichever one the routing mesh picks), read back from
 * each, and recorded on the service as com.df.* labels so the Swarm itself keeps the route.
 */
export async function addRoute(cluster: Cluster, input: RouteAddInput): Promise<RouteAddResult> {
  const {index} = await checkRouteInput(input)
  const context = await loadProxy(cluster, {proxy: input.proxy, json: input.json})
  const service = await pickService(context, input)
  const paths = input.paths.length > 0 ? input.paths : [await askText({message: 'Path to route:', answeredBy: 'argument PATH', json: input.json, default: `/${service.name}`})]
  const port = input.port ?? (await askText({message: 'Port the service listens on:', answeredBy: 'argument PORT', json: input.json, default: await suggestPort(cluster, service)}))
  const own = await routeFromInput({...input, service: service.name, paths, port}, index)
  await checkServiceReady(cluster, context, service)
  const params = mergeRoute(service, own, index)

  const replicas = await Promise.all(context.replicas.map((replica) => sendRoute(cluster, replica, service.name, params)))
  const rows = [...replicas.map((r) => r.row), ...pendingRows(context.pending)]
  const refused = replicas.find((r) => r.answer?.outcome === 'refused')
  const accepted = replicas.some((r) => r.row.result === 'ok')
  const labelled = !refused && accepted
  if (labelled) await cluster.engine.updateServiceLabels(service.id, labelChanges(service.labels, params))
  const result: RouteAddResult = {proxy: context.proxy.name, service: service.name, params: shown(params), replicas: rows, labelled}
  if (refused) throw new UsageError(`the proxy refused the route: ${refused.answer!.message}`).withDetails(result)
  if (rows.some((r) => r.result !== 'ok')) {
    const failed = rows.filter((r) => r.result !== 'ok')
    const hint = labelled ? '; the route is labelled on the service: `swarmnet route sync` puts it on replicas that lack it' : ''
    throw new SwarmnetError(`${failed.length} of ${rows.length} proxy replicas do not hold the route: ${describeFailures(rows)}${hint}`).withDetails(result)
  }

  if (input.verify) {
    result.verify = await verifyRoute(cluster, context, destinationsOf(params), input.verifyPath)
    const bad = result.verify.filter((v) => !v.ok)
    if (bad.length > 0) throw new SwarmnetError(`the route is in place, but ${bad.map((v) => `${v.node} ${v.url}: ${v.message}`).join('; ')}`).withDetails(result)
  }

  return result
}

async function pickService(context: ProxyContext, input: RouteAddInput): Promise<ServiceSummary> {
  const onNetwork = context.services.filter((s) => s.id !== context.proxy.id && s.networks.some((a) => context.networks.some((n) => n.id === a.id)))
  if (input.service === undefined) {
    return chooseOne({message: `Which service gets a route on ${context.proxy.name}?`, answeredBy: 'argument SERVICE', json: input.json, choices: onNetwork.map((s) => ({name: `${s.name}  ${s.image}`, value: s}))})
  }

  const service = context.services.find((s) => s.name === input.service || s.id === input.service)
  if (!service) throw new UsageError(`unknown service "${input.service}"; services on the proxy's network${context.networks.length === 1 ? '' : 's'}: ${onNetwork.map((s) => s.name).join(', ') || 'none'}`)
  if (service.id === context.proxy.id) throw new UsageError(`"${service.name}" is the proxy itself; name the service the proxy should route to`)
  return service
}

/** The service's published target port, else the image's EXPOSE on the manager, as the PORT suggestion. */
async function suggestPort(cluster: Cluster, service: ServiceSummary): Promise<string | undefined> {
  if (service.ports[0]) return String(service.ports[0].targetPort)
  const exposed = await cluster.engine.imageExposedPorts(service.image).catch(() => undefined)
  return exposed?.[0] ? String(exposed[0].port) : undefined
}

/** The causes of most 503s (anchors §3 item 4): not on the proxy's network, or nothing running. */
async function checkServiceReady(cluster: Cluster, context: ProxyContext, service: ServiceSummary): Promise<void> {
  const shared = service.networks.some((a) => context.networks.some((n) => n.id === a.id))
  if (!shared) {
    const names = context.networks.map((n) => n.name).join(', ') || 'none'
    throw new SwarmnetError(`service ${service.name} is not attached to the proxy's network (${names}); the proxy could not resolve it: docker service update --network-add ${context.networks[0]?.name ?? 'proxy'} ${service.name}`)
  }

  const tasks = await cluster.engine.listTasks({service: service.id, desiredState: 'running'})
  if (!tasks.some((t) => t.state === 'running')) {
    const why = tasks.find((t) => t.error)?.error
    throw new SwarmnetError(`service ${service.name} has no running task${service.mode === 'replicated' && service.replicas === 0 ? ' (scaled to 0)' : why ? ` (${why})` : ''}; the proxy would answer 503 for it`)
  }
}

/**
 * The service's whole route with `own` put in: un-indexed, it replaces the route; at index N it
 * sets destination N and keeps the others (the proxy replaces a service's destinations as a whole,
 * so every call carries all of them).
 */
function mergeRoute(service: ServiceSummary, own: RouteParams, index: number): RouteParams {
  const current = paramsFromLabels(service.labels) ?? {}
  const known = Object.fromEntries(Object.entries(current).filter(([k]) => isRouteParam(k)))
  if (index === 0) return own
  if (destinationsOf(known).some((d) => d.index === 0)) {
    throw new UsageError(`service ${service.name} has an un-indexed route; add it again with --port-index 1 before adding --port-index ${index}`)
  }

  const highest = Math.max(0, ...destinationsOf(known).map((d) => d.index))
  if (index > highest + 1) throw new UsageError(`invalid --port-index "${index}": ${service.name} has ${highest} indexed route(s), so the next is ${highest + 1} (the proxy stops at the first gap)`)
  const kept = Object.fromEntries(Object.entries(known).filter(([k]) => !k.endsWith(`.${index}`)))
  return {...kept, ...own}
}

async function sendRoute(cluster: Cluster, replica: ProxyReplica, service: string, params: RouteParams): Promise<{row: ReplicaRow; answer?: ProxyAnswer}> {
  let answer: ProxyAnswer
  try {
    answer = await reconfigure(replica.api, reconfigureParams(service, params), cluster.timeoutMs)
  } catch (error) {
    return {row: rowOf(replica, 'unreachable', reasonOf(error))}
  }

  if (answer.outcome !== 'ok') return {row: rowOf(replica, answer.outcome, answer.message), answer}
  // Trust nothing: the route counts once the replica's own configuration shows it.
  try {
    const live = await liveServices(replica.api, cluster.timeoutMs)
    if (!sameRoute(service, params, live[service])) return {row: rowOf(replica, 'failed', 'answered OK, but its configuration does not hold the route'), answer}
  } catch (error) {
    return {row: rowOf(replica, 'failed', `answered OK, but its configuration could not be read back: ${reasonOf(error)}`), answer}
  }

  return {row: rowOf(replica, 'ok'), answer}
}
