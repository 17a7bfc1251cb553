// Reads the haproxy.cfg that docker-flow-proxy writes into sections, frontends, backends and
// routes ("which path goes where"). Pure: no I/O. Never throws: what does not fit ends up in
// `problems`, and every input byte stays in the raw lines of the preamble or of a section.

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

/** The file again, byte for byte, from the raw lines. */
export function configText(config: Pick<HaproxyConfig, 'preamble' | 'sections'>): string {
  const lines = [...config.preamble, ...config.sections.flatMap((s) => [s.header, ...s.lines])]
  return lines.map((l) => l.text + l.eol).join('')
}

/** A section's directives as written, without comments, blank lines and indentation. */
export function sectionDirectives(section: Section): LineText[] {
  return section.lines
    .map((line) => ({line: line.number, text: line.text.slice(0, tokenize(line.text).codeEnd).trim()}))
    .filter((d) => d.text !== '')
}

export function parseHaproxyConfig(text: string): HaproxyConfig {
  const problems: Problem[] = []
  const report = (line: number | null, message: string): void => {
    problems.push({line, message})
  }

  const lines = splitLines(String(text ?? ''))
  const {preamble, bodies} = groupSections(lines)
  reportStrayLines(preamble, report)
  const userlists = bodies.filter((b) => b.section.keyword === 'userlist').map((b) => parseUserlist(b))
  const {frontends, backends} = parseProxies(bodies, userlists, report)
  reportDuplicates(frontends, 'frontend', report)
  reportDuplicates(backends, 'backend', report)
  const routes = buildRoutes(frontends, backends, userlists, report)
  return {
    generation: configGeneration(routes),
    finalNewline: lines.length > 0 && lines.at(-1)!.eol !== '',
    lineEnding: lineEnding(lines),
    preamble,
    sections: bodies.map((b) => b.section),
    frontends,
    backends,
    userlists,
    routes,
    problems,
  }
}

// ---------------------------------------------------------------------------------------------
// Lines, words, sections

function splitLines(text: string): RawLine[] {
  const lines: RawLine[] = []
  let start = 0
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    if (nl === -1) {
      lines.push({number: lines.length + 1, text: text.slice(start), eol: ''})
      break
    }

    const crlf = nl > start && text[nl - 1] === '\r'
    lines.push({number: lines.length + 1, text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n'})
    start = nl + 1
  }

  return lines
}

function lineEnding(lines: RawLine[]): HaproxyConfig['lineEnding'] {
  const kinds = new Set(lines.map((l) => l.eol).filter((e) => e !== ''))
  if (kinds.size === 0) return 'none'
  if (kinds.size > 1) return 'mixed'
  return kinds.has('\r\n') ? 'crlf' : 'lf'
}

const ESCAPES: Record<string, string> = {' ': ' ', '#': '#', '\\': '\\', '"': '"', "'": "'"}

/** HAProxy's word splitting: blanks separate, quotes and `\ ` join, an unquoted `#` starts a comment. */
function tokenize(text: string): {words: string[]; codeEnd: number} {
  const words: string[] = []
  let word: string | null = null
  let quote: string | null = null
  let i = 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (quote !== null) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += ESCAPES[text[++i]] ?? '\\' + text[i]
      else word += c
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + (ESCAPES[text[++i]] ?? '\\' + text[i])
    } else if (c === '"' || c === "'") {
      quote = c
      word ??= ''
    } else if (c === '#') {
      break
    } else if (c === ' ' || c === '\t' || c === '\r') {
      if (word !== null) words.push(word)
      word = null
    } else {
      word = (word ?? '') + c
    }
  }

  if (word !== null) words.push(word)
  return {words, codeEnd: i}
}

interface Directive {
  line: number
  keyword: string
  args: string[]
  text: string
}

interface SectionBody {
  section: Section
  directives: Directive[]
}

const SECTION_KEYWORDS = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'userlist', 'peers', 'resolvers', 'mailers', 'cache',
  'program', 'http-errors', 'ring', 'log-forward', 'fcgi-app', 'crt-store', 'traces', 'acme',
])

const DIRECTIVE_WORDS = new Set([
  'acl', 'bind', 'mode', 'use_backend', 'default_backend', 'use-server', 'server', 'server-template',
  'default-server', 'option', 'no', 'timeout', 'balance', 'cookie', 'stats', 'log', 'maxconn', 'fullconn',
  'errorfile', 'errorloc', 'redirect', 'capture', 'compression', 'retries', 'hash-type', 'user', 'group',
  'nameserver', 'peer', 'daemon', 'pidfile', 'chroot', 'description', 'monitor-uri', 'filter', 'source',
  'persist', 'dispatch', 'hold', 'command', 'uid', 'gid', 'node', 'insecure-password', 'password',
])
const DIRECTIVE_PREFIX = /^(tune\.|ssl-|http-|tcp-|stick|req|rsp|log-|max|nb|ca-|crt-|lua-|unique-id|email-|external-|resolve|set-|\.)/

/**
 * Where a section starts. HAProxy ignores indentation, so a known section keyword starts one
 * anywhere; a word HAProxy does not know starts an (unknown) section only at column 0, and only
 * when it does not look like a directive someone wrote unindented.
 */
function sectionHeader(line: RawLine, words: string[]): {keyword: string; name: string | null; known: boolean} | null {
  const [first, second] = words
  if (first === undefined) return null
  if (SECTION_KEYWORDS.has(first)) return {keyword: first, name: second ?? null, known: true}
  const unindented = !/^[ \t]/.test(line.text)
  if (unindented && words.length <= 3 && !DIRECTIVE_WORDS.has(first) && !DIRECTIVE_PREFIX.test(first)) {
    return {keyword: first, name: second ?? null, known: false}
  }

  return null
}

function groupSections(lines: RawLine[]): {preamble: RawLine[]; bodies: SectionBody[]} {
  const preamble: RawLine[] = []
  const bodies: SectionBody[] = []
  for (const line of lines) {
    const {words, codeEnd} = tokenize(line.text)
    const header = sectionHeader(line, words)
    const current = bodies.at(-1)
    if (header) {
      bodies.push({section: {...header, header: line, lines: []}, directives: []})
    } else if (current) {
      current.section.lines.push(line)
      if (words.length > 0) current.directives.push({line: line.number, keyword: words[0], args: words.slice(1), text: line.text.slice(0, codeEnd).trim()})
    } else {
      preamble.push(line)
    }
  }

  return {preamble, bodies}
}

function reportStrayLines(preamble: RawLine[], report: Reporter): void {
  for (const line of preamble) {
    if (tokenize(line.text).words.length > 0) report(line.number, `"${line.text.trim()}" is outside any section`)
  }
}

type Reporter = (line: number | null, message: string) => void

// ---------------------------------------------------------------------------------------------
// Proxies: frontend, backend, listen

const FRONTEND_ONLY = new Set(['bind', 'use_backend', 'default_backend'])
const BACKEND_ONLY = new Set(['server', 'server-template', 'cookie', 'balance', 'http-request'])

function parseProxies(bodies: SectionBody[], userlists: Userlist[], report: Reporter): {frontends: Frontend[]; backends: Backend[]} {
  const frontends: Frontend[] = []
  const backends: Backend[] = []
  const namedDefaults = new Map<string, string>()
  let defaultsMode = 'tcp'
  for (const body of bodies) {
    const {keyword, name} = body.section
    if (keyword === 'defaults') {
      defaultsMode = inheritedMode(body, namedDefaults, 'tcp')
      if (name !== null) namedDefaults.set(name, defaultsMode)
      continue
    }

    if (keyword !== 'frontend' && keyword !== 'backend' && keyword !== 'listen') continue
    if (name === null) report(body.section.header.number, `${keyword} without a name`)
    const mode = inheritedMode(body, namedDefaults, defaultsMode)
    const acls = parseAcls(body.directives, report)
    reportUndefinedInRules(body, acls, report)
    if (keyword !== 'backend') frontends.push(parseFrontend(body, keyword as Frontend['kind'], mode, acls, report))
    if (keyword !== 'frontend') backends.push(parseBackend(body, keyword as Backend['kind'], mode, acls, userlists, report))
  }

  return {frontends, backends}
}

/** The section's own `mode`, else that of `from <defaults>`, else the given one. */
function inheritedMode(body: SectionBody, namedDefaults: Map<string, string>, fallback: string): string {
  const own = body.directives.filter((d) => d.keyword === 'mode' && d.args[0]).at(-1)?.args[0]
  if (own) return own
  const [, , from, defaultsName] = tokenize(body.section.header.text).words
  return (from === 'from' && defaultsName !== undefined ? namedDefaults.get(defaultsName) : undefined) ?? fallback
}

function parseFrontend(body: SectionBody, kind: Frontend['kind'], mode: string, acls: Acl[], report: Reporter): Frontend {
  const frontend: Frontend = {
    kind, name: body.section.name ?? '', line: body.section.header.number, mode, binds: [], acls, useBackends: [], defaultBackend: null, other: [],
  }
  const defined = new Set(acls.map((a) => a.name))
  for (const d of body.directives) {
    if (d.keyword === 'bind') frontend.binds.push(...parseBind(d, report))
    else if (d.keyword === 'use_backend') pushRule(frontend.useBackends, d, defined, report)
    else if (d.keyword === 'default_backend') frontend.defaultBackend = parseRule(d, defined, report) ?? frontend.defaultBackend
    else if (d.keyword === 'acl' || d.keyword === 'mode') continue
    else if (kind === 'frontend' || !BACKEND_ONLY.has(d.keyword)) frontend.other.push({line: d.line, text: d.text})
  }

  return frontend
}

function pushRule(rules: BackendRule[], d: Directive, defined: Set<string>, report: Reporter): void {
  const rule = parseRule(d, defined, report)
  if (rule) rules.push(rule)
}

function parseRule(d: Directive, defined: Set<string>, report: Reporter): BackendRule | null {
  const {before, condition} = splitCondition(d.args, defined)
  if (before.length === 0) {
    report(d.line, `${d.keyword} without a backend name`)
    return null
  }

  return {backend: before[0], condition, line: d.line}
}

function parseBackend(body: SectionBody, kind: Backend['kind'], mode: string, acls: Acl[], userlists: Userlist[], report: Reporter): Backend {
  const backend: Backend = {
    kind, name: body.section.name ?? '', line: body.section.header.number, mode, balance: null,
    servers: [], serverTemplates: [], cookie: null, acls, httpRequests: [], auth: [], other: [],
  }
  for (const d of body.directives) {
    if (d.keyword === 'server') pushDefined(backend.servers, parseServer(d, report))
    else if (d.keyword === 'server-template') pushDefined(backend.serverTemplates, parseServerTemplate(d, report))
    else if (d.keyword === 'cookie' && d.args[0]) backend.cookie = {name: d.args[0], options: d.args.slice(1)}
    else if (d.keyword === 'balance') backend.balance = d.args.join(' ') || null
    else if (d.keyword === 'http-request') backend.httpRequests.push({line: d.line, text: d.text})
    else if (d.keyword === 'acl' || d.keyword === 'mode') continue
    else if (kind === 'backend' || !FRONTEND_ONLY.has(d.keyword)) backend.other.push({line: d.line, text: d.text})
  }

  backend.auth = backendAuth(body.directives, acls, userlists)
  for (const auth of backend.auth) {
    if (auth.userlist !== null && !userlists.some((u) => u.name === auth.userlist)) {
      report(backend.line, `${kind} "${backend.name}" asks for users of userlist "${auth.userlist}", which is not defined`)
    }
  }

  return backend
}

function pushDefined<T>(list: T[], item: T | null): void {
  if (item !== null) list.push(item)
}

function parseBind(d: Directive, report: Reporter): Bind[] {
  const [addresses, ...options] = d.args
  if (addresses === undefined) {
    report(d.line, 'bind without an address')
    return []
  }

  const ssl = options.includes('ssl')
  return addresses.split(',').filter(Boolean).map((address) => ({address, ...splitAddress(address), options, ssl, line: d.line}))
}

/** "*:80" -> {host: '*', port: '80'}; "[::]:443", "ipv4@10.0.0.1:80"; sockets have no port. */
function splitAddress(address: string): {host: string; port: string | null} {
  const bare = address.replace(/^(ipv4|ipv6|tcp|tcp4|tcp6|udp|udp4|udp6|quic4|quic6)@/, '')
  if (/^(unix|abns|fd|sockpair)@/.test(bare) || bare.startsWith('/')) return {host: bare, port: null}
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(bare)
  if (v6) return {host: v6[1], port: v6[2] || null}
  const colon = bare.lastIndexOf(':')
  if (colon === -1) return {host: bare, port: null}
  return {host: bare.slice(0, colon), port: bare.slice(colon + 1) || null}
}

function numericPort(port: string | null): number | null {
  return port !== null && /^\d+$/.test(port) ? Number(port) : null
}

function parseServer(d: Directive, report: Reporter): Server | null {
  const [name, address, ...options] = d.args
  if (name === undefined || address === undefined) {
    report(d.line, 'server without a name and an address')
    return null
  }

  const {host, port} = splitAddress(address)
  return {name, address, host, port: numericPort(port), options, line: d.line}
}

function parseServerTemplate(d: Directive, report: Reporter): ServerTemplate | null {
  const [prefix, countText, address, ...options] = d.args
  const count = slotCount(countText)
  if (prefix === undefined || address === undefined || count === null) {
    report(d.line, 'server-template needs a prefix, a count and an address')
    return null
  }

  const {host, port} = splitAddress(address)
  return {prefix, count, address, host, port: numericPort(port), options, line: d.line}
}

/** "3" -> 3, "1-5" -> 5 */
function slotCount(text: string | undefined): number | null {
  const match = /^(?:(\d+)-)?(\d+)$/.exec(text ?? '')
  if (!match) return null
  return match[1] === undefined ? Number(match[2]) : Number(match[2]) - Number(match[1]) + 1
}

// ---------------------------------------------------------------------------------------------
// ACLs and conditions

function parseAcls(directives: Directive[], report: Reporter): Acl[] {
  const acls: Acl[] = []
  for (const d of directives.filter((x) => x.keyword === 'acl')) {
    const [name, ...rest] = d.args
    if (name === undefined || rest.length === 0) report(d.line, 'acl without a name and a criterion')
    else acls.push({name, ...parseCriterion(rest), line: d.line})
  }

  return acls
}

const FLAGS_WITH_ARGUMENT = new Set(['-m', '-f', '-u'])

/** "<criterion> [flags] [values]"; the words a criterion takes, also inside `{ ... }`. */
function parseCriterion(words: string[]): {criterion: string; flags: string[]; values: string[]} {
  const [criterion = '', ...rest] = words
  const flags: string[] = []
  const flagWords: string[] = []
  let i = 0
  while (i < rest.length && rest[i].startsWith('-') && rest[i].length > 1 && !/^-\d/.test(rest[i])) {
    if (rest[i] === '--') {
      i++
      break
    }

    const takesArgument = FLAGS_WITH_ARGUMENT.has(rest[i]) && i + 1 < rest.length
    const flag = takesArgument ? `${rest[i]} ${rest[i + 1]}` : rest[i]
    flags.push(flag)
    flagWords.push(...flag.split(' '))
    i += takesArgument ? 2 : 1
  }

  return {criterion, flags, values: dropRepeatedCriterion(rest.slice(i), [criterion, ...flagWords])}
}

/**
 * docker-flow-proxy writes several paths as `path_beg /a path_beg /b`. HAProxy reads the second
 * `path_beg` as one more pattern; the proxy meant two paths, so the repeats are dropped.
 */
function dropRepeatedCriterion(values: string[], group: string[]): string[] {
  const out: string[] = []
  let i = 0
  while (i < values.length) {
    if (out.length > 0 && group.every((w, k) => values[i + k] === w)) {
      i += group.length
      continue
    }

    out.push(values[i])
    i++
  }

  return out
}

// ACLs HAProxy defines itself.
const PREDEFINED_ACLS = new Set([
  'FALSE', 'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_3.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH',
  'HTTP_URL_STAR', 'LOCALHOST', 'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST',
  'METH_PUT', 'METH_TRACE', 'RDP_COOKIE', 'REQ_CONTENT', 'TRUE', 'WAIT_END',
])

// Rules other than use_backend whose conditions name ACLs (use_backend is checked with its route).
const RULE_KEYWORDS = new Set(['http-request', 'http-response', 'http-after-response', 'tcp-request', 'tcp-response', 'redirect', 'use-server'])

function reportUndefinedInRules(body: SectionBody, acls: Acl[], report: Reporter): void {
  const defined = new Set(acls.map((a) => a.name))
  const where = `${body.section.keyword} "${body.section.name ?? ''}"`
  for (const d of body.directives.filter((x) => RULE_KEYWORDS.has(x.keyword))) {
    for (const use of splitCondition(d.args, defined).condition?.acls ?? []) {
      if (!use.defined) report(d.line, `${where} uses ACL "${use.name}", which is not defined`)
    }
  }
}

function splitCondition(args: string[], defined: Set<string>): {before: string[]; condition: Condition | null} {
  const at = args.findIndex((a) => a === 'if' || a === 'unless')
  if (at === -1) return {before: args, condition: null}
  return {before: args.slice(0, at), condition: parseCondition(args[at] as Condition['keyword'], args.slice(at + 1), defined)}
}

function parseCondition(keyword: Condition['keyword'], words: string[], defined: Set<string>): Condition {
  const acls: AclUse[] = []
  let hasOr = false
  let negated = false
  for (let i = 0; i < words.length; i++) {
    let word = words[i]
    if (word === '||' || word === 'or') {
      hasOr = true
      continue
    }

    if (word.startsWith('!')) {
      negated = !negated
      word = word.slice(1)
      if (word === '') continue
    }

    if (word === '{') {
      const close = words.indexOf('}', i + 1)
      const end = close === -1 ? words.length : close
      acls.push({name: `{ ${words.slice(i + 1, end).join(' ')} }`, negated, defined: true})
      i = end
    } else {
      acls.push({name: word, negated, defined: defined.has(word) || PREDEFINED_ACLS.has(word)})
    }

    negated = false
  }

  // unless a b == !a || !b
  return {keyword, text: words.join(' '), acls, hasOr: hasOr || (keyword === 'unless' && acls.length > 1)}
}

/** The ACL a condition term stands for: a defined one (all its lines), or the anonymous one itself. */
function aclsOf(use: AclUse, index: Map<string, Acl[]>): Acl[] {
  if (use.name.startsWith('{ ') && use.name.endsWith(' }')) {
    const inner = tokenize(use.name.slice(2, -2)).words
    return [{name: use.name, ...parseCriterion(inner), line: 0}]
  }

  return index.get(use.name) ?? []
}

function aclIndex(acls: Acl[]): Map<string, Acl[]> {
  const index = new Map<string, Acl[]>()
  for (const acl of acls) index.set(acl.name, [...(index.get(acl.name) ?? []), acl])
  return index
}

// ---------------------------------------------------------------------------------------------
// Users and auth

function parseUserlist(body: SectionBody): Userlist {
  const words = (keyword: string) => body.directives.filter((d) => d.keyword === keyword && d.args[0]).map((d) => d.args[0])
  return {name: body.section.name ?? '', line: body.section.header.number, users: words('user'), groups: words('group')}
}

/** `http-request auth realm R if !xUsersAcl` with `acl xUsersAcl http_auth(xUsers)`. */
function backendAuth(directives: Directive[], acls: Acl[], userlists: Userlist[]): HttpAuth[] {
  const index = aclIndex(acls)
  const auth: HttpAuth[] = []
  for (const d of directives.filter((x) => x.keyword === 'http-request' && x.args[0] === 'auth')) {
    const {before, condition} = splitCondition(d.args.slice(1), new Set(index.keys()))
    const realmAt = before.indexOf('realm')
    const realm = realmAt === -1 ? null : (before[realmAt + 1] ?? null)
    const lists = (condition?.acls ?? []).flatMap((use) => aclsOf(use, index)).map((a) => authUserlist(a.criterion)).filter((u) => u !== null)
    if (lists.length === 0) auth.push({userlist: null, realm, users: []})
    for (const userlist of lists) auth.push({userlist, realm, users: usersOf(userlist, userlists)})
  }

  return auth
}

function authUserlist(criterion: string): string | null {
  return /^http_auth(?:_group)?\(([^)]*)\)/.exec(criterion)?.[1] ?? null
}

function usersOf(userlist: string, userlists: Userlist[]): string[] {
  return userlists.find((u) => u.name === userlist)?.users ?? []
}

// ---------------------------------------------------------------------------------------------
// Routes

function buildRoutes(frontends: Frontend[], backends: Backend[], userlists: Userlist[], report: Reporter): Route[] {
  const byName = new Map<string, Backend>()
  for (const backend of backends) if (!byName.has(backend.name)) byName.set(backend.name, backend)
  const routes: Route[] = []
  for (const frontend of frontends) {
    const rules: [Route['rule'], BackendRule][] = frontend.useBackends.map((r) => ['use_backend', r])
    if (frontend.defaultBackend) rules.push(['default_backend', frontend.defaultBackend])
    const own = frontend.kind === 'listen' ? byName.get(frontend.name) : undefined
    const serves = own && (own.servers.length > 0 || own.serverTemplates.length > 0)
    if (serves && !frontend.defaultBackend) rules.push(['listen', {backend: frontend.name, condition: null, line: frontend.line}])
    for (const [kind, rule] of rules) routes.push(buildRoute(frontend, kind, rule, byName, userlists, report))
  }

  return routes
}

function buildRoute(
  frontend: Frontend, rule: Route['rule'], backendRule: BackendRule, byName: Map<string, Backend>, userlists: Userlist[], report: Reporter,
): Route {
  const backend = byName.get(backendRule.backend)
  const {condition, line} = backendRule
  reportRouteProblems(frontend, backendRule, backend, report)
  const index = aclIndex(frontend.acls)
  const match = routeMatch(condition, index)
  const placeholder = isPlaceholder(backendRule.backend, condition)
  return {
    frontend: frontend.name,
    frontendMode: frontend.mode,
    rule,
    condition,
    backend: backendRule.backend,
    backendFound: backend !== undefined,
    backendMode: backend?.mode ?? null,
    servers: backend ? routeServers(backend) : [],
    sticky: Boolean(backend?.cookie),
    auth: [...frontendAuth(condition, index, userlists), ...(backend?.auth ?? [])],
    match,
    naming: placeholder ? unknownNaming(dfpReqMode(frontend, match)) : decodeNaming(frontend, backendRule, backend, match),
    placeholder,
    line,
  }
}

function reportRouteProblems(frontend: Frontend, rule: BackendRule, backend: Backend | undefined, report: Reporter): void {
  const where = `${frontend.kind} "${frontend.name}"`
  // A name built at run time (`%[...]`) cannot be checked here.
  if (!backend && !rule.backend.includes('%[')) report(rule.line, `${where} routes to backend "${rule.backend}", which is not defined`)
  for (const use of rule.condition?.acls ?? []) {
    if (!use.defined) report(rule.line, `${where} uses ACL "${use.name}", which is not defined`)
  }
}

function routeServers(backend: Backend): RouteServer[] {
  return [
    ...backend.servers.map((s) => ({name: s.name, address: s.address, count: 1, template: false, options: s.options})),
    ...backend.serverTemplates.map((t) => ({name: t.prefix, address: t.address, count: t.count, template: true, options: t.options})),
  ]
}

function isPlaceholder(backend: string, condition: Condition | null): boolean {
  return backend === 'dummy-be' && (condition === null || condition.acls.some((a) => a.name === 'url_dummy'))
}

function frontendAuth(condition: Condition | null, index: Map<string, Acl[]>, userlists: Userlist[]): HttpAuth[] {
  const acls = (condition?.acls ?? []).flatMap((use) => aclsOf(use, index))
  return acls.map((a) => authUserlist(a.criterion)).filter((u) => u !== null).map((userlist) => ({userlist, realm: null, users: usersOf(userlist, userlists)}))
}

// ---------------------------------------------------------------------------------------------
// What a route matches

type Bucket = Exclude<keyof RouteMatch, 'srcPorts' | 'other'>

function emptyMatch(): RouteMatch {
  return {paths: [], excludedPaths: [], domains: [], srcPorts: [], headers: [], userAgents: [], sni: [], other: []}
}

function routeMatch(condition: Condition | null, index: Map<string, Acl[]>): RouteMatch {
  const match = emptyMatch()
  if (!condition) return match
  const unless = condition.keyword === 'unless'
  for (const use of condition.acls.filter((u) => u.defined)) {
    const negated = use.negated !== unless
    const acls = aclsOf(use, index)
    // HAProxy's predefined ACLs (METH_GET, TRUE, ...) have no definition to classify.
    if (acls.length === 0) addOther(match, negated ? `!${use.name}` : use.name)
    for (const acl of acls) addToMatch(match, acl, negated, use.name)
  }

  return match
}

const PATH_CRITERION = /^(path|pathq|url|base|req\.path)(_[a-z]+)?(,|$)/
const HEADER_CRITERION = /^(?:req\.)?hdr(?:_[a-z]+)?\(([^),]*)/

function addToMatch(match: RouteMatch, acl: Acl, negated: boolean, useName: string): void {
  const criterion = acl.criterion.toLowerCase()
  const header = HEADER_CRITERION.exec(criterion)?.[1]
  if (PATH_CRITERION.test(criterion)) return addValues(match, negated ? 'excludedPaths' : 'paths', acl)
  if (negated) return addOther(match, `!${useName}`)
  if (authUserlist(criterion) !== null) return
  if (criterion === 'dst_port') return addPorts(match, acl, useName)
  if (acl.name.startsWith('domain_') || header === 'host') return addValues(match, 'domains', acl)
  if (/^(req[._]ssl_sni|ssl_fc_sni)/.test(criterion)) return addValues(match, 'sni', acl)
  if (header === 'user-agent') return addValues(match, 'userAgents', acl)
  if (header !== undefined) return addValues(match, 'headers', acl)
  addOther(match, useName)
}

function addValues(match: RouteMatch, bucket: Bucket, acl: Acl): void {
  const same = match[bucket].find((m) => m.match === acl.criterion && m.flags.join(' ') === acl.flags.join(' '))
  if (same) same.values.push(...acl.values)
  else match[bucket].push({match: acl.criterion, flags: [...acl.flags], values: [...acl.values]})
}

function addPorts(match: RouteMatch, acl: Acl, useName: string): void {
  for (const value of acl.values) {
    if (/^\d+$/.test(value)) match.srcPorts.push(Number(value))
    else addOther(match, useName)
  }
}

function addOther(match: RouteMatch, text: string): void {
  if (!match.other.includes(text)) match.other.push(text)
}

// ---------------------------------------------------------------------------------------------
// docker-flow-proxy's names
//
// current: acl url_<acl><port>_<i>, use_backend <acl>-be<port>_<i>, https-<acl>-be<port>_<i>,
//          sni_<acl><port>-<n> -> <service>-be<port>_<i>, frontend tcpFE_<srcPort> / service_<srcPort>
// book:    acl url_<acl><port>,     use_backend <service>-be<port>, https-<service>-be<port>,
//          frontend <service>_<srcPort> -> default_backend <service>-be<srcPort>
// The ACL name glues name and port together (url_api28080_0), so the port is taken from the
// backend name (api2-be8080_0, "-be" separates them) or else from the server line, never guessed.

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

function unknownNaming(reqMode: DfpNaming['reqMode']): DfpNaming {
  return {generation: 'unknown', reqMode, aclName: null, serviceName: null, port: null, index: null, srcPort: null, https: false}
}

function decodeNaming(frontend: Frontend, rule: BackendRule, backend: Backend | undefined, match: RouteMatch): DfpNaming {
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

function dfpReqMode(frontend: Frontend, match: RouteMatch): DfpNaming['reqMode'] {
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

function configGeneration(routes: Route[]): Generation {
  const generations = new Set(routes.filter((r) => !r.placeholder).map((r) => r.naming.generation))
  if (generations.has('current')) return 'current'
  if (generations.has('book')) return 'book'
  return 'unknown'
}

// ---------------------------------------------------------------------------------------------
// Problems found across sections

function reportDuplicates(proxies: {kind: string; name: string; line: number}[], capability: string, report: Reporter): void {
  const seen = new Map<string, number>()
  for (const proxy of proxies) {
    const first = seen.get(proxy.name)
    if (first === undefined) seen.set(proxy.name, proxy.line)
    else report(proxy.line, `${capability} "${proxy.name}" is defined twice (lines ${first} and ${proxy.line})`)
  }
}
