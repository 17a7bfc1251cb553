// Routes: which frontend rule sends what to which backend and its servers. HAProxy's side is here;
// what docker-flow-proxy's names say about a route is read in dfp-naming.ts.

import {aclIndex, aclsOf, authUserlist, conditionUserlists} from './acl.js'
import {decodeNaming, dfpReqMode, isDomainAcl, isPlaceholder, unknownNaming} from './dfp-naming.js'
import {usersOf} from './grammar.js'
import type {Acl, Backend, BackendRule, Condition, Frontend, HttpAuth, Reporter, Route, RouteMatch, RouteServer, Userlist} from './model.js'

/** One route a use_backend/default_backend rule, and one a listen section that serves by itself. */
export function buildRoutes(frontends: Frontend[], backends: Backend[], userlists: Userlist[], report: Reporter): Route[] {
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

function frontendAuth(condition: Condition | null, index: Map<string, Acl[]>, userlists: Userlist[]): HttpAuth[] {
  return conditionUserlists(condition, index).map((userlist) => ({userlist, realm: null, users: usersOf(userlist, userlists)}))
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
  if (isDomainAcl(acl.name) || header === 'host') return addValues(match, 'domains', acl)
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
