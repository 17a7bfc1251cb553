import {UsageError} from '../core/errors.js'
import type {LiveService} from '../proxy/client.js'

/**
 * A service's route in docker-flow-proxy's own terms: its reconfigure parameters without
 * serviceName, e.g. {servicePath: "/demo", port: "8080"}. This is exactly what the swarm listener
 * reads from `com.df.*` service labels, so the labels are where swarmnet keeps routes too.
 */
export type RouteParams = Record<string, string>

export const LABEL_PREFIX = 'com.df.'
export const NOTIFY_LABEL = 'com.df.notify'
/** Labels the listener reads but that are not route parameters. */
const NOT_PARAMS = new Set(['notify', 'distribute', 'replicas', 'serviceName'])
const NOT_PARAMS_FOLDED = new Set([...NOT_PARAMS].map((n) => n.toLowerCase()))

/** Per-destination parameters: they take a `.N` suffix (N = 1..10) for a service's N-th route. */
const DESTINATION_PARAMS = new Set([
  'allowedMethods', 'balanceGroup', 'checkTcp', 'clitcpka', 'deniedMethods', 'denyHttp', 'httpsOnly', 'httpsPort', 'httpsRedirectCode',
  'ignoreAuthorization', 'outboundHostname', 'pathType', 'port', 'redirectFromDomain', 'reqMode', 'reqPathSearchReplace', 'serviceDomain',
  'serviceGroup', 'serviceHeader', 'servicePath', 'servicePathExclude', 'srcHttpsPort', 'srcPort', 'sslVerifyNone', 'timeoutClient',
  'timeoutServer', 'timeoutTunnel', 'userAgent', 'userDef', 'verifyClientSsl',
])
/** Service-level parameters the proxy reads (anchors §1.5), old spellings included. */
const SERVICE_PARAMS = new Set([
  'aclName', 'addHeader', 'addReqHeader', 'addResHeader', 'backendExtra', 'checkResolvers', 'compressionAlgo', 'compressionType', 'connectionMode',
  'delReqHeader', 'delResHeader', 'discoveryType', 'isDefaultBackend', 'proxyInstanceName', 'redirectUnlessHttpsProto', 'redirectWhenHttpProto',
  'reqPathReplace', 'reqPathSearch', 'serviceCert', 'serviceDomainAlgo', 'serviceDomainMatchAll', 'sessionType', 'setHeader', 'setReqHeader',
  'setResHeader', 'templateBePath', 'templateFePath', 'users', 'usersPassEncrypted', 'usersSecret',
])

/** A parameter of the proxy's (with or without a `.N` suffix), as opposed to another tool's com.df.* label. */
export function isRouteParam(name: string): boolean {
  const indexed = /^(.+)\.([1-9]|10)$/.exec(name)
  return indexed ? DESTINATION_PARAMS.has(indexed[1]) : DESTINATION_PARAMS.has(name) || SERVICE_PARAMS.has(name)
}

/** A destination exists when one of these is set (the proxy's own rule). */
const DEFINES_DESTINATION = ['servicePath', 'port', 'serviceDomain', 'httpsPort']
export const MAX_INDEX = 10

/** The route a service's labels describe, or undefined when it has none (no `com.df.notify=true`). */
export function paramsFromLabels(labels: Record<string, string>): RouteParams | undefined {
  if ((labels[NOTIFY_LABEL] ?? '').toLowerCase() !== 'true') return undefined
  const params: RouteParams = {}
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(LABEL_PREFIX)) continue
    const name = key.slice(LABEL_PREFIX.length)
    // The proxy reads service fields in any case (com.df.Distribute=true would make a replica fan out).
    if (!NOT_PARAMS_FOLDED.has(name.toLowerCase())) params[name] = value
  }

  return params
}

/**
 * The label writes that make a service's labels say `params` (null removes a label), or say it has
 * no route when `params` is undefined. Other tools' com.df.* labels (a monitor's alerts, the
 * listener's distribute) are left alone.
 */
export function labelChanges(current: Record<string, string>, params: RouteParams | undefined): Record<string, string | null> {
  const wanted: Record<string, string> = params ? {[NOTIFY_LABEL]: 'true', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [LABEL_PREFIX + k, v]))} : {}
  const changes: Record<string, string | null> = {}
  for (const key of Object.keys(current)) {
    const ours = key === NOTIFY_LABEL || (key.startsWith(LABEL_PREFIX) && isRouteParam(key.slice(LABEL_PREFIX.length)))
    if (ours && !(key in wanted)) changes[key] = null
  }

  for (const [key, value] of Object.entries(wanted)) if (current[key] !== value) changes[key] = value
  return changes
}

/** One destination of a route (the proxy's ServiceDest), resolved with the proxy's fallback rules. */
export interface Destination {
  index: number
  paths: string[]
  port: string
  domains: string[]
  srcPort?: number
  reqMode: string
  pathType: string
  httpsOnly: boolean
  /** Every destination parameter that applies here, un-suffixed. */
  params: Record<string, string>
}

/** As the proxy splits lists (on its SEPARATOR, ","), without trimming. */
function split(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : []
}

/**
 * The destinations a route's parameters make, as the proxy reads them: indexed ones `.1`..`.10` up
 * to the first gap, and only when there are none the un-indexed one; an indexed value falls back to
 * the un-indexed value of the same name.
 */
export function destinationsOf(params: RouteParams): Destination[] {
  const defined = (suffix: string) => DEFINES_DESTINATION.some((name) => (params[name + suffix] ?? '') !== '')
  const indexes: number[] = []
  for (let n = 1; n <= MAX_INDEX && defined(`.${n}`); n++) indexes.push(n)
  if (indexes.length === 0 && defined('')) indexes.push(0)
  return indexes.map((index) => {
    const own: Record<string, string> = {}
    for (const name of DESTINATION_PARAMS) {
      const value = (index > 0 ? params[`${name}.${index}`] : undefined) || params[name]
      if (value !== undefined && value !== '') own[name] = value
    }

    return {
      index,
      paths: split(own.servicePath).length > 0 ? split(own.servicePath) : split(own.serviceDomain).length > 0 ? ['/'] : [],
      port: own.port ?? '',
      domains: split(own.serviceDomain),
      srcPort: own.srcPort ? Number(own.srcPort) : undefined,
      reqMode: own.reqMode || 'http',
      pathType: own.pathType || 'path_beg',
      httpsOnly: parseBool(own.httpsOnly),
      params: own,
    }
  })
}

/** Service-level parameters (not per destination). */
export function serviceParams(params: RouteParams): RouteParams {
  return Object.fromEntries(Object.entries(params).filter(([key]) => !DESTINATION_PARAMS.has(key.replace(/\.\d+$/, ''))))
}

export function isDestinationParam(name: string): boolean {
  return DESTINATION_PARAMS.has(name)
}

/** The reconfigure query for a service's route: serviceName first, then the parameters in a stable order. */
export function reconfigureParams(service: string, params: RouteParams): [string, string][] {
  return [['serviceName', service], ...Object.entries(params).sort(([a], [b]) => a.localeCompare(b))]
}

/** What a replica's own settings do to every route it holds: HTTPS_ONLY forces httpsOnly, USERS adds users. */
export interface ProxyDefaults {
  httpsOnly: boolean
  /** Names of the proxy's global users (its USERS variable). */
  globalUsers: string[]
}

/** The proxy's environment, read from its service spec. */
export function proxyDefaults(env: string[]): ProxyDefaults {
  const value = (name: string) => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? ''
  return {httpsOnly: parseBool(value('HTTPS_ONLY')), globalUsers: value('USERS').split(',').filter(Boolean).map((u) => u.split(':')[0])}
}

const NO_DEFAULTS: ProxyDefaults = {httpsOnly: false, globalUsers: []}

/** Go's strconv.ParseBool, which the proxy reads its flags with. */
export function parseBool(value: string | undefined): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value ?? '')
}

/**
 * The aclName a replica holds the service's route under, when the route now wanted names another.
 * The real proxy keeps the backend file of the old name (anchors §7.1); once that backend's server
 * no longer resolves, HAProxy refuses every later change. It is removed before the new one is sent.
 */
export function staleAclName(service: string, params: RouteParams, live: LiveService | undefined): string | undefined {
  if (!live) return undefined
  const held = typeof live.AclName === 'string' && live.AclName !== '' ? live.AclName : service
  const wanted = params.aclName || service
  return held === wanted ? undefined : held
}

/** Fields compared by name below; the rest generically. */
const COMPARED = new Set(['servicePath', 'port', 'serviceDomain', 'srcPort', 'reqMode', 'pathType', 'httpsOnly', 'aclName', 'users', 'usersPassEncrypted'])

/**
 * Whether a replica holds this route as the labels describe it. Compared field by field in the
 * proxy's JSON names; fields the replica does not report are not held against it.
 */
export function sameRoute(service: string, params: RouteParams, live: LiveService | undefined, defaults: ProxyDefaults = NO_DEFAULTS): boolean {
  if (!live) return false
  const acl = (v: unknown) => (typeof v === 'string' && v !== '' ? v : service)
  if (acl(params.aclName) !== acl(live.AclName)) return false
  if (!sameUsers(params.users, live.Users, defaults)) return false
  if (!sameFields(serviceParams(params), live)) return false
  const wanted = destinationsOf(params)
  const held = [...(live.ServiceDest ?? [])].sort((a, b) => Number(a.Index ?? 0) - Number(b.Index ?? 0))
  if (wanted.length !== held.length) return false
  return wanted.every((dest, i) => sameDestination(dest, held[i], defaults))
}

function sameDestination(dest: Destination, held: Record<string, unknown>, defaults: ProxyDefaults): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? split(v) : [])
  const domains = (v: string[]) => v.map((d) => d.replace(/^\*+/, '')).join(',')
  if (list(held.ServicePath).join(',') !== dest.paths.join(',')) return false
  if (String(held.Port ?? '') !== dest.port) return false
  if (domains(list(held.ServiceDomain)) !== domains(dest.domains)) return false
  if (Number(held.SrcPort ?? 0) !== (dest.srcPort ?? 0)) return false
  if (String(held.ReqMode || 'http').toLowerCase() !== dest.reqMode.toLowerCase()) return false
  if (String(held.PathType || 'path_beg') !== dest.pathType) return false
  if (Boolean(held.HttpsOnly) !== (dest.httpsOnly || defaults.httpsOnly)) return false
  return sameFields(dest.params, held)
}

/** The other parameters against the fields of the same name (servicePathExclude → ServicePathExclude). */
function sameFields(params: Record<string, string>, held: Record<string, unknown>): boolean {
  return Object.entries(params).every(([name, value]) => {
    if (COMPARED.has(name.replace(/\.\d+$/, ''))) return true
    const field = held[name[0].toUpperCase() + name.slice(1)]
    if (field === undefined || field === null || (typeof field === 'object' && !Array.isArray(field))) return true
    if (typeof field === 'boolean') return field === parseBool(value)
    return (Array.isArray(field) ? field.join(',') : String(field)) === value
  })
}

/** Ours, exactly: the proxy's global USERS may be there too, but nothing else. */
function sameUsers(wanted: string | undefined, held: unknown, defaults: ProxyDefaults): boolean {
  const ours = split(wanted).sort()
  const have = (Array.isArray(held) ? held : [])
    .map((u: {Username?: string; Password?: string}) => `${u.Username}:${u.Password}`)
    .filter((pair) => !defaults.globalUsers.includes(pair.split(':')[0]) || ours.includes(pair))
    .sort()
  return have.join(',') === ours.join(',')
}

/** "/demo,/api" or "/demo" → ["/demo", "/api"], each checked. */
export function parsePaths(values: string[]): string[] {
  const paths = values.flatMap((v) => v.split(',')).map((p) => p.trim())
  if (paths.length === 0) throw new UsageError('missing PATH; expected a path starting with "/", e.g. /demo')
  for (const path of paths) {
    if (!path.startsWith('/')) throw new UsageError(`invalid PATH "${path}": expected a path starting with "/", e.g. /${path || 'demo'}`)
    // The proxy writes paths into haproxy.cfg as they are: these would break the file.
    if (/[\s#?"'\\]/.test(path)) throw new UsageError(`invalid PATH "${path}": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)`)
  }

  return paths
}
