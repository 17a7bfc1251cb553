// A reconfigure request as the real proxy reads it: proxy.Service and ServiceDest, filled by gorilla/schema
// and GetServiceFromProvider from the request's parameters, then validated.
import fs from 'node:fs'
import { envOf, secretOr, SECRETS_DIR } from './environment.mjs'
import { atoi, eqFold, GO_BOOL, GO_TRUE, len, parseBool, split } from './go.mjs'

// proxy.Service in struct order (= JSON order). The kind says how gorilla/schema fills it
// from a parameter whose name matches case-insensitively; null: never from a flat name.
const SERVICE_FIELDS = [
  ['AclName', 'string'],
  ['AddReqHeader', 'strings'],
  ['AddResHeader', 'strings'],
  ['BackendExtra', 'string'],
  ['CheckResolvers', 'bool'],
  ['CompressionAlgo', 'string'],
  ['CompressionType', 'string'],
  ['ConnectionMode', 'string'],
  ['Debug', 'bool'],
  ['DebugFormat', 'string'],
  ['DelReqHeader', 'strings'],
  ['DelResHeader', 'strings'],
  ['DiscoveryType', 'string'],
  ['Distribute', 'bool'],
  ['IsDefaultBackend', 'bool'],
  ['ProxyInstanceName', 'string'],
  ['RedirectWhenHttpProto', 'bool'],
  ['RedirectUnlessHttpsProto', 'bool'],
  ['Replicas', 'int'],
  ['ReqPathReplace', 'string'],
  ['ReqPathSearch', 'string'],
  ['ServiceCert', 'string'],
  ['ServiceDomainAlgo', 'string'],
  ['ServiceName', 'string'],
  ['SessionType', 'string'],
  ['SetReqHeader', 'strings'],
  ['SetResHeader', 'strings'],
  ['TemplateBePath', 'string'],
  ['TemplateFePath', 'string'],
  ['UseGlobalUsers', 'bool'],
  ['Users', null],
  ['ServicePort', 'string'],
  ['AclCondition', 'string'],
  ['IsGlobal', 'bool'],
  ['LookupRetry', 'int'],
  ['LookupRetryInterval', 'int'],
  ['ServiceDest', null],
  ['Tasks', 'strings'],
]
export const REMOVE_FIELDS = [
  ['aclName', 'string'],
  ['distribute', 'bool'],
  ['serviceName', 'string'],
]
export const RELOAD_FIELDS = [
  ['recreate', 'bool'],
  ['fromListener', 'bool'],
]
const ZERO = { string: '', bool: false, int: 0, strings: null }

export function emptyService() {
  return Object.fromEntries(SERVICE_FIELDS.map(([name, kind]) => [name, kind ? ZERO[kind] : null]))
}

// ServiceDest in struct order; nulls where Go leaves a nil slice/map.
export function emptyDest() {
  return {
    AllowedMethods: null,
    BalanceGroup: '',
    CheckTCP: false,
    Clitcpka: false,
    DeniedMethods: null,
    DenyHttp: false,
    HttpsOnly: false,
    HttpsPort: 0,
    HttpsRedirectCode: '',
    IgnoreAuthorization: false,
    OutboundHostname: '',
    PathType: '',
    Port: '',
    RedirectFromDomain: null,
    ReqMode: '',
    ReqModeFormatted: '',
    ReqPathSearchReplace: '',
    ServiceDomain: null,
    ServiceGroup: '',
    ServiceHeader: null,
    ServicePath: null,
    ServicePathExclude: null,
    SrcPort: 0,
    SrcHttpsPort: 0,
    SrcPortAcl: '',
    SrcPortAclName: '',
    SrcHttpsPortAcl: '',
    SrcHttpsPortAclName: '',
    SslVerifyNone: false,
    TimeoutServer: '',
    TimeoutClient: '',
    TimeoutTunnel: '',
    VerifyClientSsl: false,
    UserAgent: { Value: null, AclName: '' },
    UserDef: '',
    Index: 0,
    ReqPathSearchReplaceFormatted: null,
    IncludeSrcPortACL: false,
    IncludeSrcHttpsPortACL: false,
  }
}

// server.Response: Status, Message, ServiceName, then the embedded Service (its own
// ServiceName is shadowed by the outer one).
export function response(status, message, serviceName, service = emptyService()) {
  const { ServiceName: _shadowed, ...fields } = service
  return { Status: status, Message: message, ServiceName: serviceName, ...fields }
}

// gorilla/schema as the real proxy uses it: names match case-insensitively, the values
// come from ParseForm (url-encoded body first, then the query), a scalar takes the last
// value, empty values are skipped, values that do not convert leave the field alone.
export function schemaDecode(target, fields, form) {
  const byKey = new Map()
  for (const [k, v] of form) {
    if (!byKey.has(k)) byKey.set(k, [])
    byKey.get(k).push(v)
  }
  for (const [key, values] of byKey) {
    const field = fields.find(([name, kind]) => kind && eqFold(name, key))
    if (!field) continue
    const [name, kind] = field
    if (kind === 'strings') {
      target[name] = values.filter((v) => v !== '')
      continue
    }
    const v = values[values.length - 1]
    if (v === '') continue
    if (kind === 'string') target[name] = v
    else if (kind === 'bool' && (v === 'on' || GO_BOOL.has(v))) target[name] = v === 'on' || GO_TRUE.has(v)
    else if (kind === 'int' && /^[+-]?\d+$/.test(v)) target[name] = Number(v)
  }
  return target
}

// ---- parsing a reconfigure request (proxy.GetServiceFromProvider) ----

// query: the URL's pairs; form: body pairs then query pairs. Destination fields and a few
// service fields are read only from the URL query, by exact name (URL.Query().Get).
export function serviceFromRequest(query, form, env = process.env) {
  const q = (name) => query.find(([k]) => k === name)?.[1] ?? ''
  const sep = envOf(env, 'SEPARATOR')
  const s = schemaDecode(emptyService(), SERVICE_FIELDS, form)

  if (eqFold(q('serviceDomainMatchAll'), 'true')) s.ServiceDomainAlgo = 'hdr_dom(host)'
  const list = (...names) => {
    const name = names.find((n) => q(n))
    return name ? split(q(name), sep) : undefined
  }
  s.AddReqHeader = list('addReqHeader', 'addHeader') ?? s.AddReqHeader
  s.SetReqHeader = list('setReqHeader', 'setHeader') ?? s.SetReqHeader
  s.DelReqHeader = list('delReqHeader') ?? s.DelReqHeader
  s.AddResHeader = list('addResHeader') ?? s.AddResHeader
  s.SetResHeader = list('setResHeader') ?? s.SetResHeader
  s.DelResHeader = list('delResHeader') ?? s.DelResHeader

  // No replicas parameter means a global service; replicas=0 on a replicated one means
  // "remove the route" (the listener sends it when a service is scaled to 0).
  const replicas = q('replicas')
  if (replicas) {
    if (/^[+-]?\d+$/.test(replicas)) s.Replicas = Number(replicas)
  } else {
    s.IsGlobal = true
  }

  s.Users = mergeUsers(
    s.ServiceName,
    q('users'),
    q('usersSecret'),
    boolParam(q, 'usersPassEncrypted', ''),
    secretOr(env, 'USERS', ''),
    eqFold(secretOr(env, 'USERS_PASS_ENCRYPTED', ''), 'true'),
  )
  s.ServiceDest = destList(s, q, env)
  return s
}

const fromString = (q, name, sfx) => q(name + sfx) || q(name)
function boolParam(q, name, sfx) {
  if (q(name + sfx)) return parseBool(q(name + sfx))
  return q(name) ? parseBool(q(name)) : false
}

// Destinations .1 to .10 must be contiguous; without any, the un-indexed one.
function destList(s, q, env) {
  const given = (sfx) => ['servicePath', 'port', 'serviceDomain', 'httpsPort'].some((n) => q(n + sfx))
  const base = dest(s, q, -1, env)
  const httpsOnly = base.HttpsOnly || parseBool(envOf(env, 'HTTPS_ONLY'))
  const dests = []
  for (let i = 1; i <= 10 && given(`.${i}`); i++) dests.push(dest(s, q, i, env))
  if (dests.length === 0 && given('')) dests.push(base)
  if (dests.length === 0) dests.push({ ...emptyDest(), ReqMode: q('reqMode') || 'http' })
  for (const d of dests) {
    if (len(d.ServiceDomain) > 0 && len(d.ServicePath) === 0) d.ServicePath = ['/']
    if (httpsOnly) d.HttpsOnly = true
  }
  return dests
}

function dest(s, q, index, env) {
  const sep = envOf(env, 'SEPARATOR')
  const sfx = index > 0 ? `.${index}` : ''
  const str = (name) => fromString(q, name, sfx)
  const slice = (name) => (str(name) ? split(str(name), sep) : [])
  const bool = (name) => boolParam(q, name, sfx)

  /** @type {{Value: string[] | null, AclName: string}} */
  const userAgent = { Value: null, AclName: '' }
  if (str('userAgent')) {
    const value = split(str('userAgent'), sep)
    userAgent.Value = value
    userAgent.AclName = value.join('_').replace(/[^A-Za-z0-9]+/g, '_')
  }
  const header = {}
  for (const item of str('serviceHeader') ? split(str('serviceHeader'), sep) : []) {
    const kv = item.split(':')
    if (kv.length === 2) header[kv[0].trim()] = kv[1].trim()
  }
  const searchReplace = []
  if (s.ReqPathSearch) searchReplace.push(`${s.ReqPathSearch},${s.ReqPathReplace}`)
  if (str('reqPathSearchReplace')) searchReplace.push(...str('reqPathSearchReplace').split(':'))

  return {
    ...emptyDest(),
    AllowedMethods: slice('allowedMethods'),
    BalanceGroup: str('balanceGroup'),
    CheckTCP: bool('checkTcp'),
    Clitcpka: bool('clitcpka'),
    DeniedMethods: slice('deniedMethods'),
    DenyHttp: bool('denyHttp'),
    HttpsOnly: bool('httpsOnly'),
    HttpsPort: atoi(str('httpsPort')),
    HttpsRedirectCode: str('httpsRedirectCode'),
    IgnoreAuthorization: bool('ignoreAuthorization'),
    OutboundHostname: str('outboundHostname'),
    PathType: str('pathType'),
    Port: str('port'),
    RedirectFromDomain: slice('redirectFromDomain'),
    ReqMode: str('reqMode') || 'http',
    ReqPathSearchReplace: str('reqPathSearchReplace'),
    ServiceDomain: slice('serviceDomain'),
    ServiceGroup: str('serviceGroup'),
    ServiceHeader: header,
    ServicePath: slice('servicePath'),
    ServicePathExclude: slice('servicePathExclude'),
    SrcPort: atoi(str('srcPort')),
    SrcHttpsPort: atoi(str('srcHttpsPort')),
    SslVerifyNone: bool('sslVerifyNone'),
    TimeoutServer: str('timeoutServer'),
    TimeoutClient: str('timeoutClient'),
    TimeoutTunnel: str('timeoutTunnel'),
    VerifyClientSsl: bool('verifyClientSsl'),
    UserAgent: userAgent,
    UserDef: str('userDef'),
    Index: Math.max(index, 0),
    ReqPathSearchReplaceFormatted: searchReplace,
  }
}

// users="name:pass,name2" (a name without password takes it from the global USERS),
// usersSecret (a Docker secret dfp_users_<x>), or a random dummy user when users were asked
// for but none is usable: the route must not end up open.
export function extractUsers(text, encrypted, skipEmptyPassword) {
  const users = []
  for (let entry of text.split(/[\n,]/)) {
    entry = entry.replace(/^[\n\t ]+|[\n\t ]+$/g, '')
    if (!entry) continue
    const colon = entry.indexOf(':')
    if (colon >= 0) {
      const Username = entry.slice(0, colon).replace(/^[\t ]+|[\t ]+$/g, '')
      const Password = entry.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '')
      if (Username && Password) users.push({ Username, Password, PassEncrypted: encrypted })
    } else if (!skipEmptyPassword) {
      users.push({ Username: entry, Password: '', PassEncrypted: false })
    }
  }
  return users
}

function mergeUsers(serviceName, usersParam, usersSecret, encrypted, globalUsers, globalEncrypted) {
  const fromParam = extractUsers(usersParam, encrypted, false)
  let fromFile = []
  if (usersSecret) {
    try {
      const text = fs.readFileSync(`${SECRETS_DIR}/dfp_users_${usersSecret}`, 'utf8').replace(/\n+$/, '')
      fromFile = extractUsers(text, encrypted, true)
    } catch {
      // the real proxy logs and carries on without them
    }
  }
  let collected = fromFile
  if (fromParam.length > 0) {
    if (fromParam.some((u) => !u.Password)) {
      if (!usersSecret) fromFile = extractUsers(globalUsers, globalEncrypted, true)
      for (const u of fromParam.filter((x) => !x.Password)) {
        const known = fromFile.find((f) => eqFold(f.Username, u.Username))
        if (known) Object.assign(u, { Password: known.Password, PassEncrypted: known.PassEncrypted })
      }
    }
    collected = fromParam
  }
  const users = collected.filter((u) => u.Password)
  if (users.length === 0 && (usersParam || usersSecret)) users.push(randomUser())
  return users.length ? users : null
}

export function randomUser() {
  const n = BigInt.asUintN(63, BigInt(Math.floor(Math.random() * 2 ** 53)) * 1024n + BigInt(Math.floor(Math.random() * 1024)))
  return { Username: 'dummyUser', Password: n.toString(3), PassEncrypted: true }
}

// ---- validation (proxy.IsValidReconf, then the server's port check) ----

export function validate(s) {
  if (!s.ServiceName) return { status: 400, message: 'serviceName parameter is mandatory.' }
  const d = s.ServiceDest[0]
  if (eqFold(d.ReqMode || 'http', 'http')) {
    if (len(d.ServicePath) === 0 && len(d.ServiceDomain) === 0) {
      return { status: 409, message: 'When using reqMode http, servicePath or serviceDomain are mandatory' }
    }
  } else if (!(d.SrcPort > 0) || !d.Port) {
    return { status: 400, message: 'When NOT using reqMode http (e.g. tcp), srcPort and port parameters are mandatory.' }
  }
  if (!d.Port && !(d.HttpsPort > 0)) {
    return { status: 400, message: 'When MODE is set to "service" or "swarm", the port query is mandatory' }
  }
  return null
}
