// HAProxy's grammar above the lexer: frontend, backend and listen sections (mode, binds, rules,
// servers), userlists and their use in `http-request auth`, and what is wrong across sections.

import {aclIndex, conditionUserlists, parseAcls, reportUndefinedInRules, splitCondition} from './acl.js'
import {type Directive, type SectionBody, tokenize} from './lexer.js'
import type {Acl, Backend, BackendRule, Bind, Frontend, HttpAuth, RawLine, Reporter, Server, ServerTemplate, Userlist} from './model.js'

/** Lines before the first section that are not comments or blank. */
export function reportStrayLines(preamble: RawLine[], report: Reporter): void {
  for (const line of preamble) {
    if (tokenize(line.text).words.length > 0) report(line.number, `"${line.text.trim()}" is outside any section`)
  }
}

// ---------------------------------------------------------------------------------------------
// Proxies: frontend, backend, listen

const FRONTEND_ONLY = new Set(['bind', 'use_backend', 'default_backend'])
const BACKEND_ONLY = new Set(['server', 'server-template', 'cookie', 'balance', 'http-request'])

/** frontend, backend and listen sections (a listen is both), each with the mode it inherits. */
export function parseProxies(bodies: SectionBody[], userlists: Userlist[], report: Reporter): {frontends: Frontend[]; backends: Backend[]} {
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
// Users and auth

/** A userlist's user and group names; passwords are not copied. */
export function parseUserlist(body: SectionBody): Userlist {
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
    const lists = conditionUserlists(condition, index)
    if (lists.length === 0) auth.push({userlist: null, realm, users: []})
    for (const userlist of lists) auth.push({userlist, realm, users: usersOf(userlist, userlists)})
  }

  return auth
}

/** The user names of a userlist; none when it is not defined. */
export function usersOf(userlist: string, userlists: Userlist[]): string[] {
  return userlists.find((u) => u.name === userlist)?.users ?? []
}

// ---------------------------------------------------------------------------------------------
// Problems found across sections

export function reportDuplicates(proxies: {kind: string; name: string; line: number}[], capability: string, report: Reporter): void {
  const seen = new Map<string, number>()
  for (const proxy of proxies) {
    const first = seen.get(proxy.name)
    if (first === undefined) seen.set(proxy.name, proxy.line)
    else report(proxy.line, `${capability} "${proxy.name}" is defined twice (lines ${first} and ${proxy.line})`)
  }
}
