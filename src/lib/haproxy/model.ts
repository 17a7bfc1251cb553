// What parse.ts reads out of a haproxy.cfg: sections, frontends, backends, userlists and routes.
// Only types: the parser's pieces (lexer, grammar, acl, routes, dfp-naming) all speak them.

/** Which docker-flow-proxy wrote the names: the book's (`url_go-demo8080`) or today's (`url_go-demo8080_0`). */
export type Generation = 'book' | 'current' | 'unknown'

/** One physical line, with its own line ending, so the file can be rebuilt byte for byte. */
export interface RawLine {
  /** 1-based */
  number: number
  /** without the line ending */
  text: string
  /** '' only on a last line that has no newline */
  eol: '' | '\n' | '\r\n'
}

export interface Section {
  /** global, defaults, frontend, backend, listen, userlist, peers, resolvers, cache, program, ... or an unknown word */
  keyword: string
  name: string | null
  /** false for a section keyword HAProxy does not have */
  known: boolean
  header: RawLine
  /** every line after the header up to the next section: directives, comments, blank lines */
  lines: RawLine[]
}

/** A directive kept as written (indentation and inline comment removed). */
export interface LineText {
  line: number
  text: string
}

export interface Acl {
  name: string
  /** the sample fetch with its converters: path_beg, hdr_beg(host), dst_port, req_ssl_sni, http_auth(xUsers) */
  criterion: string
  /** -i, -n, -M, '-m beg', '-f file', '-u 1' */
  flags: string[]
  values: string[]
  line: number
}

export interface AclUse {
  /** an ACL name, or an anonymous ACL written out: "{ ssl_fc }" */
  name: string
  negated: boolean
  defined: boolean
}

export interface Condition {
  keyword: 'if' | 'unless'
  /** the words after if/unless */
  text: string
  acls: AclUse[]
  /** OR branches (`||`, or `unless` over several ACLs): the route's match lists are alternatives, not all required */
  hasOr: boolean
}

export interface BackendRule {
  backend: string
  condition: Condition | null
  line: number
}

export interface Bind {
  /** as written: *:443, :80, [::]:80, unix@/run/x.sock */
  address: string
  host: string
  /** a port or a range ("8000-8010"); null for sockets */
  port: string | null
  /** everything after the address: ssl crt-list /cfg/crt-list.txt alpn h2,http/1.1 */
  options: string[]
  ssl: boolean
  line: number
}

export interface Frontend {
  kind: 'frontend' | 'listen'
  name: string
  line: number
  /** the section's own mode, else that of the defaults before it, else HAProxy's default (tcp) */
  mode: string
  binds: Bind[]
  acls: Acl[]
  useBackends: BackendRule[]
  defaultBackend: BackendRule | null
  other: LineText[]
}

export interface Server {
  name: string
  /** host:port as written */
  address: string
  host: string
  port: number | null
  options: string[]
  line: number
}

export interface ServerTemplate {
  prefix: string
  count: number
  address: string
  host: string
  port: number | null
  options: string[]
  line: number
}

export interface HttpAuth {
  userlist: string | null
  realm: string | null
  /** user names only; passwords are never copied */
  users: string[]
}

export interface Backend {
  kind: 'backend' | 'listen'
  name: string
  line: number
  mode: string
  balance: string | null
  servers: Server[]
  serverTemplates: ServerTemplate[]
  /** `cookie NAME insert indirect nocache`: sticky sessions */
  cookie: {name: string; options: string[]} | null
  acls: Acl[]
  httpRequests: LineText[]
  auth: HttpAuth[]
  other: LineText[]
}

export interface Userlist {
  name: string
  line: number
  users: string[]
  groups: string[]
}

/** Values one kind of ACL matches; several ACLs of one kind with the same criterion and flags are merged. */
export interface MatchList {
  match: string
  flags: string[]
  values: string[]
}

export interface RouteMatch {
  paths: MatchList[]
  /** negated path ACLs (docker-flow-proxy's `!url_exclude_...`) */
  excludedPaths: MatchList[]
  domains: MatchList[]
  /** the proxy's own listening port (`dst_port`), docker-flow-proxy's srcPort */
  srcPorts: number[]
  headers: MatchList[]
  userAgents: MatchList[]
  sni: MatchList[]
  /** the rest of the condition: "{ ssl_fc }", "!is_go-demo_http", ... */
  other: string[]
}

export interface RouteServer {
  name: string
  address: string
  /** 1 for a server line, the slot count for a server-template */
  count: number
  template: boolean
  options: string[]
}

/** What docker-flow-proxy's names say about a route. Fields it cannot tell without guessing are null. */
export interface DfpNaming {
  generation: Generation
  reqMode: 'http' | 'tcp' | 'sni' | null
  aclName: string | null
  serviceName: string | null
  /** the service's port behind the proxy */
  port: number | null
  /** the destination index (`_N`); null in the book's generation */
  index: number | null
  /** the proxy's port for this route (tcp/sni frontend, srcPort ACL) */
  srcPort: number | null
  /** the `https-` backend of a service with httpsPort */
  https: boolean
}

export interface Route {
  frontend: string
  frontendMode: string
  rule: 'use_backend' | 'default_backend' | 'listen'
  condition: Condition | null
  backend: string
  backendFound: boolean
  backendMode: string | null
  servers: RouteServer[]
  sticky: boolean
  auth: HttpAuth[]
  match: RouteMatch
  naming: DfpNaming
  /** docker-flow-proxy's url_dummy/dummy-be, written when it has no route at all */
  placeholder: boolean
  line: number
}

export interface Problem {
  line: number | null
  message: string
}

export interface HaproxyConfig {
  generation: Generation
  finalNewline: boolean
  lineEnding: 'lf' | 'crlf' | 'mixed' | 'none'
  /** lines before the first section */
  preamble: RawLine[]
  sections: Section[]
  frontends: Frontend[]
  backends: Backend[]
  userlists: Userlist[]
  routes: Route[]
  problems: Problem[]
}

/** Where the parser's pieces hand what does not fit: it ends up in `problems`. */
export type Reporter = (line: number | null, message: string) => void
