import type {ServiceSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError, reasonOf} from '../core/errors.js'
import {askText, canPrompt, chooseOne} from '../ui/interactive.js'
import {type ProxyAnswer, liveServices, maskSecrets, reconfigure, removeService} from '../proxy/client.js'
import type {Cluster, ProxyReplica} from '../proxy/replicas.js'
import {type ProxyContext, type ReplicaRow, describeFailures, loadProxy, pendingRows, rowOf} from './context.js'
import {
  MAX_INDEX, type ProxyDefaults, type RouteParams, destinationsOf, isDestinationParam, isRouteParam, labelChanges, paramsFromLabels, parsePaths, proxyDefaults, reconfigureParams, sameRoute, staleAclName,
} from './params.js'
import {hashUsers, shown} from './users.js'
import {checkServiceName, checkUrlPath, parseKeyValue, parsePort, parseWholeNumber} from '../core/input.js'
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
  /** How long to wait for replicas that should run but cannot be asked yet. */
  waitMs: number
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
const PATH_TYPES = ['path', 'path_beg', 'path_dir', 'path_dom', 'path_end', 'path_reg', 'path_sub']
const DOMAIN = /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/
const ACL_NAME = /^[a-zA-Z0-9_.-]+$/
/** Parameters that have their own argument or flag, or that swarmnet decides. */
const NOT_PARAMS = new Map(Object.entries({
  serviceName: 'use SERVICE', servicePath: 'use PATH', port: 'use PORT', serviceDomain: 'use --domain', srcPort: 'use --src-port', reqMode: 'use --req-mode',
  pathType: 'use --path-type', httpsOnly: 'use --https-only', aclName: 'use --acl-name', users: 'use --users', usersPassEncrypted: 'use --users (it hashes plain passwords)',
  distribute: 'swarmnet sends the route to every replica itself', replicas: 'it would remove the route when 0',
  serviceCert: 'a certificate (and its key) would be stored in service labels; give it to the proxy as a Docker secret',
}))

/** The route's own parameters from the flags, at index `index` (0 = un-indexed); every value checked. */
export async function routeFromInput(input: RouteAddInput & {service: string; port: string}, index: number): Promise<RouteParams> {
  const suffix = index > 0 ? `.${index}` : ''
  const own: RouteParams = {}
  const dest = (name: string, value: string | undefined) => {
    if (value !== undefined) own[name + suffix] = value
  }

  dest('servicePath', parsePaths(input.paths).join(','))
  dest('port', String(parsePort(input.port, 'PORT', {trim: true})))
  if (input.domains.length > 0) {
    const domains = input.domains.flatMap((d) => d.split(',')).map((d) => d.trim())
    for (const domain of domains) if (!DOMAIN.test(domain)) throw new UsageError(`invalid --domain "${domain}": expected a host name like example.com or *.example.com`)
    dest('serviceDomain', domains.join(','))
  }

  if (input.srcPort !== undefined) dest('srcPort', String(parsePort(input.srcPort, '--src-port', {trim: true})))
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
    const [name, value] = parseKeyValue(pair, '--param', {key: /^[a-zA-Z][a-zA-Z0-9]*$/, shown: maskSecrets(pair).slice(0, 60), expected: 'NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'})
    if (NOT_PARAMS.has(name)) throw new UsageError(`--param ${name} is not accepted: ${NOT_PARAMS.get(name)}`)
    if (!isRouteParam(name)) throw new UsageError(`--param ${name}: not a docker-flow-proxy parameter (names are case-sensitive, e.g. timeoutServer, addReqHeader, sessionType)`)
    // Values go into haproxy.cfg as they are: a line break would add lines of its own.
    // eslint-disable-next-line no-control-regex -- control characters are what it rejects
    if (/[\u0000-\u001F\u007F]/.test(value)) throw new UsageError(`invalid --param ${name}: control characters or line breaks in the value`)
    if (isDestinationParam(name)) dest(name, value)
    else own[name] = value
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
  if (input.service !== undefined) checkServiceName(input.service)
  if (input.verifyPath !== undefined) checkUrlPath(input.verifyPath, '--verify-path')
  const index = input.portIndex === undefined ? 0 : parseWholeNumber(input.portIndex, '--port-index', 1, MAX_INDEX)

  if (input.paths.length > 0 || input.port !== undefined) {
    // What can be checked without the cluster is checked now (the rest once SERVICE/PATH/PORT are known).
    await routeFromInput({...input, service: input.service ?? 'x', paths: input.paths.length > 0 ? input.paths : ['/'], port: input.port ?? '1'}, index)
  }

  return {index}
}

/**
 * The book's reconfigure call, made safe: checked first (checkRouteInput, by the caller, before it
 * connects; values asked for here are checked as they come: nothing is sent when a check fails), sent
 * to every replica of the proxy (never to whichever one the routing mesh picks), read back from
 * each, and recorded on the service as com.df.* labels so the Swarm itself keeps the route.
 */
export async function addRoute(cluster: Cluster, input: RouteAddInput, {index}: {index: number}): Promise<RouteAddResult> {
  const context = await loadProxy(cluster, {proxy: input.proxy, json: input.json, waitMs: input.waitMs})
  const service = await pickService(context, input)
  const paths = input.paths.length > 0 ? input.paths : [await askText({message: 'Path to route:', answeredBy: 'argument PATH', json: input.json, default: `/${service.name}`})]
  const port = input.port ?? (await askText({message: 'Port the service listens on:', answeredBy: 'argument PORT', json: input.json, default: await suggestPort(cluster, service)}))
  const own = await routeFromInput({...input, service: service.name, paths, port}, index)
  await checkServiceReady(cluster, context, service)
  const params = mergeRoute(service, own, index)

  const sent = await Promise.all(context.replicas.map(async (replica) => ({replica, ...(await sendRoute(cluster, replica, service.name, params, proxyDefaults(context.proxy.env)))})))
  const refused = sent.find((r) => r.answer?.outcome === 'refused')
  // 500 is the proxy's "could not apply it" (after which it drops the service); other failures changed nothing.
  const couldNot = sent.filter((r) => r.answer?.outcome === 'failed' && r.answer.status === 500)
  // A replica that could not apply it has dropped the service's route (the proxy's rollback):
  // put the previous route back everywhere, so the proxy stays as it was rather than half-changed.
  if (couldNot.length > 0) await Promise.all(sent.filter((r) => r.answer && r.answer.outcome !== 'refused').map((r) => putBack(cluster, r, service)))
  const rows = [...sent.map((r) => r.row), ...pendingRows(context.pending)]
  const labelled = !refused && couldNot.length === 0 && sent.some((r) => r.row.result === 'ok')
  if (labelled) await cluster.engine.updateServiceLabels(service.id, labelChanges(service.labels, params))
  const result: RouteAddResult = {proxy: context.proxy.name, service: service.name, params: shown(params), replicas: rows, labelled}
  if (refused) throw new UsageError(`the proxy refused the route: ${refused.answer!.message}`).withDetails(result)
  if (couldNot.length > 0) {
    const before = paramsFromLabels(service.labels) ? 'its previous route is back on every replica' : 'it had no route before, and has none now'
    throw new SwarmnetError(`the proxy could not apply the route (${describeFailures(couldNot.map((r) => r.row))}); ${before}`).withDetails(result)
  }

  if (rows.some((r) => r.result !== 'ok')) {
    const failed = rows.filter((r) => r.result !== 'ok')
    const hint = labelled ? '; the route is labelled on the service: `swarmnet route sync` puts it on replicas that lack it' : ''
    throw new SwarmnetError(`${failed.length} of ${rows.length} proxy replicas do not hold the route: ${describeFailures(rows)}${hint}`).withDetails(result)
  }

  // A --verify-path asks for the check, so it implies --verify.
  if (input.verify || input.verifyPath !== undefined) {
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

/** Sends the service's labelled route again (or removes the new one when there was none), marking the row. */
async function putBack(cluster: Cluster, sent: {replica: ProxyReplica; row: ReplicaRow}, service: ServiceSummary): Promise<void> {
  const previous = paramsFromLabels(service.labels)
  const known = previous && Object.fromEntries(Object.entries(previous).filter(([k]) => isRouteParam(k)))
  try {
    const answer = known
      ? await replaceRoute(cluster, sent.replica, service.name, known)
      : await removeService(sent.replica.api, service.name, undefined, cluster.timeoutMs)
    const note = answer.outcome === 'ok' ? 'put back as it was' : `could not be put back: ${answer.message}`
    sent.row = sent.row.result === 'ok' ? {...sent.row, result: 'rolled back', message: note} : {...sent.row, message: `${sent.row.message}; ${note}`}
  } catch (error) {
    sent.row = {...sent.row, message: `${sent.row.message ?? sent.row.result}; could not be put back: ${reasonOf(error)}`}
  }
}

/** reconfigure, after removing the route's files under an aclName it no longer has (see staleAclName). */
async function replaceRoute(cluster: Cluster, replica: ProxyReplica, service: string, params: RouteParams): Promise<ProxyAnswer> {
  // A replica whose routes cannot be read is left to the reconfigure's own answer, which says why.
  const live = await liveServices(replica.api, cluster.timeoutMs).catch(() => undefined)
  const stale = staleAclName(service, params, live?.[service])
  if (stale) await removeService(replica.api, service, stale, cluster.timeoutMs)
  return reconfigure(replica.api, reconfigureParams(service, params), cluster.timeoutMs)
}

async function sendRoute(cluster: Cluster, replica: ProxyReplica, service: string, params: RouteParams, defaults: ProxyDefaults): Promise<{row: ReplicaRow; answer?: ProxyAnswer}> {
  let answer: ProxyAnswer
  try {
    answer = await replaceRoute(cluster, replica, service, params)
  } catch (error) {
    return {row: rowOf(replica, 'unreachable', reasonOf(error))}
  }

  if (answer.outcome !== 'ok') return {row: rowOf(replica, answer.outcome, answer.message), answer}
  // Trust nothing: the route counts once the replica's own configuration shows it.
  try {
    const live = await liveServices(replica.api, cluster.timeoutMs)
    if (!sameRoute(service, params, live[service], defaults)) return {row: rowOf(replica, 'failed', 'answered OK, but its configuration does not hold the route'), answer}
  } catch (error) {
    return {row: rowOf(replica, 'failed', `answered OK, but its configuration could not be read back: ${reasonOf(error)}`), answer}
  }

  return {row: rowOf(replica, 'ok'), answer}
}
