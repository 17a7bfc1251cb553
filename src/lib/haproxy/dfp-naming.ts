// docker-flow-proxy's naming conventions, read back from the haproxy.cfg it writes: which
// generation wrote a route, its aclName, service, port, index and srcPort. HAProxy itself gives
// these names no meaning; the grammar (grammar.ts, acl.ts) and the routes (routes.ts) stay neutral.
//
// current: acl url_<acl><port>_<i>, use_backend <acl>-be<port>_<i>, https-<acl>-be<port>_<i>,
//          sni_<acl><port>-<n> -> <service>-be<port>_<i>, frontend tcpFE_<srcPort> / service_<srcPort>
// book:    acl url_<acl><port>,     use_backend <service>-be<port>, https-<service>-be<port>,
//          frontend <service>_<srcPort> -> default_backend <service>-be<srcPort>
// The ACL name glues name and port together (url_api28080_0), so the port is taken from the
// backend name (api2-be8080_0, "-be" separates them) or else from the server line, never guessed.

import type {Backend, BackendRule, Condition, DfpNaming, Frontend, Generation, Route, RouteMatch} from './model.js'

const DFP_BACKEND = /^(https-)?(.+)-be(\d+)(?:_(\d+))?$/

interface BackendName {
  https: boolean
  base: string
  port: number
  index: number | null
}

function splitBackendName(name: string): BackendName | null {
  const m = DFP_BACKEND.exec(name)
  return m ? {https: m[1] !== undefined, base: m[2], port: Number(m[3]), index: m[4] === undefined ? null : Number(m[4])} : null
}

/** A route whose names say nothing the proxy's way. */
export function unknownNaming(reqMode: DfpNaming['reqMode']): DfpNaming {
  return {generation: 'unknown', reqMode, aclName: null, serviceName: null, port: null, index: null, srcPort: null, https: false}
}

/** What a route's backend name, primary ACL, servers and frontend name say of it, the proxy's way. */
export function decodeNaming(frontend: Frontend, rule: BackendRule, backend: Backend | undefined, match: RouteMatch): DfpNaming {
  const reqMode = dfpReqMode(frontend, match)
  const primary = primaryAcl(rule.condition, reqMode)
  const parts = splitBackendName(rule.backend) ?? fromServerPort(primary, backend)
  if (!parts) return unknownNaming(reqMode)
  const generation: Generation = parts.index === null ? 'book' : 'current'
  const fromAcl = primary ? aclNameOf(primary, parts.port, parts.index) : null
  // "<name>-be<digits>" alone is common enough; a book-era route also needs its url_ ACL or tcp frontend.
  if (generation === 'book' && fromAcl === null && bookTcpPort(frontend, parts.base) === null) return unknownNaming(reqMode)
  // Today's backends carry the ACL name; the book's, and today's sni routes, the service name.
  const backendIsService = generation === 'book' || reqMode === 'sni'
  return {
    generation,
    reqMode,
    aclName: fromAcl ?? (backendIsService ? null : parts.base),
    serviceName: serviceOf(backend) ?? (backendIsService ? parts.base : null),
    port: parts.port,
    index: parts.index,
    srcPort: srcPortOf(frontend, parts.base, match),
    https: parts.https || (primary?.startsWith('url_https_') ?? false),
  }
}

/** The proxy's reqMode for a route: http, tcp, or sni (a tcp frontend matching on SNI). */
export function dfpReqMode(frontend: Frontend, match: RouteMatch): DfpNaming['reqMode'] {
  if (frontend.mode === 'http') return 'http'
  if (frontend.mode !== 'tcp') return null
  return match.sni.length > 0 ? 'sni' : 'tcp'
}

/** The ACL that carries the name: url_... (not url_exclude_...) for http, sni_... for sni. */
function primaryAcl(condition: Condition | null, reqMode: DfpNaming['reqMode']): string | null {
  const names = (condition?.acls ?? []).filter((a) => !a.negated).map((a) => a.name)
  if (reqMode === 'sni') return names.find((n) => n.startsWith('sni_')) ?? null
  return names.find((n) => n.startsWith('url_') && !n.startsWith('url_exclude_')) ?? null
}

/** `url_<acl><port>[_<i>]`, `url_https_...`, `sni_<acl><port>[-<n>]` -> <acl>, given the port. */
function aclNameOf(aclName: string, port: number, index: number | null): string | null {
  const prefix = ['url_https_', 'url_', 'sni_'].find((p) => aclName.startsWith(p))
  if (prefix === undefined) return null
  let rest = aclName.slice(prefix.length)
  if (prefix === 'sni_' && index !== null) rest = rest.replace(/-\d+$/, '')
  const suffix = prefix === 'sni_' || index === null ? String(port) : `${port}_${index}`
  return rest.length > suffix.length && rest.endsWith(suffix) ? rest.slice(0, -suffix.length) : null
}

/** A backend not named the proxy's way: the port comes from its servers, when they agree on one. */
function fromServerPort(primary: string | null, backend: Backend | undefined): BackendName | null {
  const ports = new Set([...(backend?.servers ?? []), ...(backend?.serverTemplates ?? [])].map((s) => s.port))
  const [port] = ports
  if (primary === null || ports.size !== 1 || port === null || port === undefined) return null
  const indexText = /_(\d+)$/.exec(primary)?.[1]
  const index = indexText === undefined ? null : Number(indexText)
  for (const candidate of index === null ? [null] : [index, null]) {
    const base = aclNameOf(primary, port, candidate)
    if (base !== null) return {https: primary.startsWith('url_https_'), base, port, index: candidate}
  }

  return null
}

/** The service behind a backend: the sticky cookie, the server-template prefix or the one server name. */
function serviceOf(backend: Backend | undefined): string | null {
  if (!backend) return null
  const {cookie, servers, serverTemplates} = backend
  if (cookie && servers.length > 0 && servers.every((s) => s.name.startsWith(`${cookie.name}_`))) return cookie.name
  if (serverTemplates.length > 0) return serverTemplates[0].prefix
  const names = new Set(servers.map((s) => s.name))
  return names.size === 1 ? [...names][0] : null
}

function srcPortOf(frontend: Frontend, base: string, match: RouteMatch): number | null {
  const named = /^(?:tcpFE|service)_(\d+)$/.exec(frontend.name)?.[1]
  if (named !== undefined) return Number(named)
  return bookTcpPort(frontend, base) ?? (match.srcPorts.length === 1 ? match.srcPorts[0] : null)
}

/** The book's tcp frontends are named <service>_<srcPort>. */
function bookTcpPort(frontend: Frontend, service: string): number | null {
  const port = frontend.name.startsWith(`${service}_`) ? frontend.name.slice(service.length + 1) : ''
  return frontend.mode === 'tcp' && /^\d+$/.test(port) ? Number(port) : null
}

/** The file's generation: current if any real route is, else book if any is. */
export function configGeneration(routes: Route[]): Generation {
  const generations = new Set(routes.filter((r) => !r.placeholder).map((r) => r.naming.generation))
  if (generations.has('current')) return 'current'
  if (generations.has('book')) return 'book'
  return 'unknown'
}

/** docker-flow-proxy's url_dummy/dummy-be, written when it has no route at all. */
export function isPlaceholder(backend: string, condition: Condition | null): boolean {
  return backend === 'dummy-be' && (condition === null || condition.acls.some((a) => a.name === 'url_dummy'))
}

/** The proxy names the ACL of a serviceDomain `domain_<acl>...`, whatever criterion it uses. */
export function isDomainAcl(name: string): boolean {
  return name.startsWith('domain_')
}
