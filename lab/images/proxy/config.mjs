// What the real docker-flow-proxy does with a request's parameters and how it writes
// haproxy.cfg, imitated closely enough that a client meets the same answers and the same
// file: field names, order and zero values of its JSON (proxy.Service / ServiceDest),
// which parameters are read case-insensitively from query+form and which only by their
// exact name from the URL query, and the text and blank lines of its templates.
import fs from 'node:fs'

// The real image's ENV (its Dockerfile): the stand-in behaves as if it had them.
const IMAGE_ENV = {
  CHECK_RESOLVERS: 'false',
  CONNECTION_MODE: 'http-keep-alive',
  DEBUG: 'false',
  DEFAULT_PORTS: '80,443:ssl',
  DEFAULT_REQ_MODE: 'http',
  DO_NOT_RESOLVE_ADDR: 'false',
  FILTER_PROXY_INSTANCE_NAME: 'false',
  HTTPS_ONLY: 'false',
  PROXY_INSTANCE_NAME: 'docker-flow',
  RECONFIGURE_ATTEMPTS: '20',
  RESOLVERS: 'nameserver dns 127.0.0.11:53',
  SEPARATOR: ',',
  SERVICE_DOMAIN_ALGO: 'hdr_beg(host)',
  SERVICE_NAME: 'proxy',
  SKIP_ADDRESS_VALIDATION: 'true',
  SSL_BIND_CIPHERS: 'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS',
  SSL_BIND_OPTIONS: 'no-sslv3',
  STATS_PASS_ENV: 'STATS_PASS',
  STATS_URI_ENV: 'STATS_URI',
  STATS_USER_ENV: 'STATS_USER',
  TIMEOUT_CLIENT: '20',
  TIMEOUT_CONNECT: '5',
  TIMEOUT_HTTP_KEEP_ALIVE: '15',
  TIMEOUT_HTTP_REQUEST: '5',
  TIMEOUT_QUEUE: '30',
  TIMEOUT_SERVER: '20',
  TIMEOUT_TUNNEL: '3600',
}
const SECRETS_DIR = '/run/secrets'

// os.Getenv in the real image: unset means the image's value.
export const envOf = (env, key) => env[key] ?? IMAGE_ENV[key] ?? ''

// The real getSecretOrEnvVar: a Docker secret dfp_<key> wins, then a non-empty variable.
export function secretOr(env, key, def) {
  if (!key) return def
  try {
    return fs.readFileSync(`${SECRETS_DIR}/dfp_${key.toLowerCase()}`, 'utf8').replace(/\n+$/, '')
  } catch {
    return envOf(env, key) || def
  }
}

// Lab-only knobs: the real proxy retries the HAProxy check RECONFIGURE_ATTEMPTS times,
// 1 s apart (reloadPause), and answers only after it saw the new HAProxy (~0.5 s).
export function settings(env = process.env) {
  const attempts = envOf(env, 'RECONFIGURE_ATTEMPTS')
  const ms = (v, def) => (/^\d+$/.test(v ?? '') ? Number(v) : def)
  return {
    attempts: attempts ? atoi(attempts) : 20, // like Go's Atoi: nonsense means 0 attempts
    intervalMs: ms(env.RECONFIGURE_INTERVAL_MS, 1000),
    reloadMinMs: ms(env.RELOAD_MIN_MS, 500),
  }
}

export const paths = (env = process.env) => ({
  errorfiles: env.ERRORFILES_DIR || '/errorfiles',
  run: env.HAPROXY_RUN_DIR || '/var/run',
})

// ---- Go value conversions ----

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_BOOL = new Set([...GO_TRUE, '0', 'f', 'F', 'FALSE', 'false', 'False'])
export const parseBool = (v) => GO_TRUE.has(v) // strconv.ParseBool, an error counting as false
const atoi = (v) => (/^[+-]?\d+$/.test(v) ? Number(v) : 0)
const len = (v) => (v ? (Array.isArray(v) ? v.length : Object.keys(v).length) : 0)
const eqFold = (a, b) => a.toLowerCase() === b.toLowerCase()
const split = (v, sep) => v.split(sep) // strings.Split: no trimming, no dropping of empties

// Go's url.ParseQuery (Go 1.11): "&" and ";" separate pairs, a pair that does not
// unescape is dropped.
export function parseQuery(raw) {
  const pairs = []
  for (const part of (raw || '').split(/[&;]/)) {
    if (!part) continue
    const eq = part.indexOf('=')
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]
    try {
      pairs.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))])
    } catch {
      // malformed escape
    }
  }
  return pairs
}

// json.Marshal escapes these even inside strings.
export const goJson = (value) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

// ---- the structs ----

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
function emptyDest() {
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

  const userAgent = { Value: null, AclName: '' }
  if (str('userAgent')) {
    userAgent.Value = split(str('userAgent'), sep)
    userAgent.AclName = userAgent.Value.join('_').replace(/[^A-Za-z0-9]+/g, '_')
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
function extractUsers(text, encrypted, skipEmptyPassword) {
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

function randomUser() {
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

// ---- the per-service template files ----

// What the real proxy fills in before it renders a service (GetTemplates,
// FormatServiceForTemplates, GetBackTemplate). It works on its own copy of the service,
// but the destinations are shared with the request's answer, so the answer shows
// PathType "path_beg", ReqModeFormatted, SrcPortAcl... too.
export function prepareService(s, env = process.env) {
  const checkResolvers = envOf(env, 'CHECK_RESOLVERS')
  if (GO_BOOL.has(checkResolvers)) s.CheckResolvers = parseBool(checkResolvers)
  if (!s.AclName) s.AclName = s.ServiceName
  s.Tasks?.sort()
  for (const d of s.ServiceDest) {
    if (!d.ReqMode) d.ReqMode = 'http'
    if (!d.PathType) d.PathType = 'path_beg'
    const src = d.HttpsPort > 0 && d.SrcPort === 0 ? 80 : d.SrcPort
    if (src > 0) {
      d.SrcPortAclName = ` srcPort_${s.AclName}${src}_${d.Index}`
      d.SrcPortAcl = `acl srcPort_${s.AclName}${src}_${d.Index} dst_port ${src}`
    }
    if (src > 0 && (d.Port || len(d.ServicePathExclude) > 0)) d.IncludeSrcPortACL = true
    d.SrcPort = src
    const srcHttps = d.HttpsPort > 0 && d.SrcHttpsPort === 0 ? 443 : d.SrcHttpsPort
    if (srcHttps > 0) {
      d.SrcHttpsPortAclName = ` srcHttpsPort_${s.AclName}${srcHttps}_${d.Index}`
      d.SrcHttpsPortAcl = `acl srcHttpsPort_${s.AclName}${srcHttps}_${d.Index} dst_port ${srcHttps}`
    }
    if (srcHttps > 0 && d.HttpsPort > 0) d.IncludeSrcHttpsPortACL = true
    d.SrcHttpsPort = srcHttps
    d.ReqModeFormatted = eqFold(d.ReqMode, 'sni') ? 'tcp' : d.ReqMode
  }
  if (secretOr(env, 'USERS', '')) s.UseGlobalUsers = true
  if (eqFold(envOf(env, 'DEBUG'), 'true')) s.Debug = true
  return s
}

// The backend template is rendered with Go's html/template, so every value put into it
// is HTML-escaped (a "+" in a regex becomes "&#43;"); header lines are pasted in as text.
const HTML = { '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' }
const h = (v) => String(v).replace(/["&'+<>\0]/g, (c) => HTML[c])

function headerLines(s) {
  const each = (list, prefix) => (list ?? []).map((x) => `\n    ${prefix} ${x}`).join('')
  return (
    each(s.AddReqHeader, 'http-request add-header') +
    each(s.SetReqHeader, 'http-request set-header') +
    each(s.AddResHeader, 'http-response add-header') +
    each(s.SetResHeader, 'http-response set-header') +
    each(s.DelReqHeader, 'http-request del-header') +
    each(s.DelResHeader, 'http-response del-header')
  )
}

// The middle of an http backend, shared by the plain and the https one.
function httpBackendBody(s, d, port, { denyHttp }) {
  const svc = h(s.ServiceName)
  let out = ''
  if (s.ConnectionMode) out += `\n    option ${h(s.ConnectionMode)}`
  if (s.Debug) out += '\n    log global'
  out += headerLines(s)
  if (d.TimeoutServer) out += `\n    timeout server ${h(d.TimeoutServer)}s`
  if (d.TimeoutTunnel) out += `\n    timeout tunnel ${h(d.TimeoutTunnel)}s`
  for (const sr of d.ReqPathSearchReplaceFormatted ?? []) out += `\n    http-request set-path %[path,regsub(${h(sr)})]`
  if (d.VerifyClientSsl) {
    out += `\n    acl valid_client_cert_${svc}${h(port)} ssl_c_used ssl_c_verify 0`
    out += `\n    http-request deny unless valid_client_cert_${svc}${h(port)}`
  }
  if (len(d.AllowedMethods)) {
    out += `\n    acl valid_allowed_method method${d.AllowedMethods.map((m) => ` ${h(m)}`).join('')}`
    out += '\n    http-request deny unless valid_allowed_method'
  }
  if (len(d.DeniedMethods)) {
    out += `\n    acl valid_denied_method method${d.DeniedMethods.map((m) => ` ${h(m)}`).join('')}`
    out += '\n    http-request deny if valid_denied_method'
  }
  if (denyHttp && d.DenyHttp) out += '\n    http-request deny if !{ ssl_fc }'
  if (s.SessionType === 'sticky-server') out += `\n    balance roundrobin\n    cookie ${svc} insert indirect nocache`
  const ssl = d.SslVerifyNone ? ' ssl verify none' : ''
  const host = d.OutboundHostname ? h(d.OutboundHostname) : svc
  ;(s.Tasks ?? []).forEach((t, i) => (out += `\n    server ${svc}_${i} ${h(t)}:${h(port)} check cookie ${svc}_${i}${ssl}`))
  if (len(s.Tasks) === 0) {
    if (s.DiscoveryType === 'DNS') {
      out += `\n    server-template ${svc} ${s.Replicas} ${host}:${h(port)} check${s.CheckResolvers ? ' resolvers docker' : ''}${ssl}`
    } else {
      out += `\n    server ${svc} ${host}:${h(port)}${s.CheckResolvers ? ' check resolvers docker' : ''}${ssl}`
    }
  }
  if (!d.IgnoreAuthorization) {
    if (len(s.Users)) {
      out += `\n    acl ${svc}UsersAcl http_auth(${svc}Users)`
      out += `\n    http-request auth realm ${svc}Realm if !${svc}UsersAcl`
    }
    if (s.UseGlobalUsers) out += '\n    acl defaultUsersAcl http_auth(defaultUsers)\n    http-request auth realm defaultRealm if !defaultUsersAcl'
    if (len(s.Users) || s.UseGlobalUsers) out += '\n    http-request del-header Authorization'
  }
  return out
}

// The content of <aclName>-be.cfg: the service's userlist, then its backends.
export function backendFile(s) {
  const acl = h(s.AclName)
  const svc = h(s.ServiceName)
  const extra = s.BackendExtra ? `\n    ${h(s.BackendExtra)}` : ''
  let out = ''
  for (const d of s.ServiceDest) {
    if (!d.Port) continue
    const port = h(d.Port)
    if (d.ReqModeFormatted === 'http') {
      out += `\nbackend ${acl}-be${port}_${d.Index}\n    mode ${h(d.ReqModeFormatted)}`
      if (d.HttpsOnly) out += `\n    http-request redirect scheme https${d.HttpsRedirectCode ? ` code ${h(d.HttpsRedirectCode)}` : ''} if !{ ssl_fc }`
      out += '\n    http-request add-header X-Forwarded-Proto https if { ssl_fc }'
      out += httpBackendBody(s, d, d.Port, { denyHttp: true })
    } else if (d.ReqModeFormatted === 'tcp' && !d.ServiceGroup) {
      out += `\nbackend ${acl}-be${port}_${d.Index}\n    mode tcp`
      if (d.CheckTCP) out += '\n    option tcp-check'
      if (d.TimeoutServer) out += `\n    timeout server ${h(d.TimeoutServer)}s`
      if (d.TimeoutTunnel) out += `\n    timeout tunnel ${h(d.TimeoutTunnel)}s`
      out += `\n    server ${svc} ${d.OutboundHostname ? h(d.OutboundHostname) : svc}:${port}${d.CheckTCP ? ' check' : ''}`
    }
    out += extra
  }
  for (const d of s.ServiceDest) {
    if (!(d.HttpsPort > 0)) continue
    out += `\nbackend https-${acl}-be${d.HttpsPort}_${d.Index}\n    mode ${h(d.ReqModeFormatted)}`
    if (d.ReqModeFormatted === 'http') out += '\n    http-request add-header X-Forwarded-Proto https if { ssl_fc }'
    out += httpBackendBody(s, d, String(d.HttpsPort), { denyHttp: false })
    out += extra
  }
  const users = len(s.Users)
    ? `userlist ${svc}Users${s.Users.map((u) => `\n    user ${h(u.Username)} ${u.PassEncrypted ? 'password' : 'insecure-password'} ${h(u.Password)}`).join('')}\n\n`
    : ''
  return users + out
}

// ---- haproxy.cfg ----

const hasPath = (s, test) => (s.ServiceDest ?? []).some((d) => (d.ServicePath ?? []).some(test))

// The real proxy's order: /.well-known first, services owning "/" last, else by AclName.
export function compareServices(a, b) {
  const known = (s) => hasPath(s, (p) => p.toLowerCase().startsWith('/.well-known'))
  const root = (s) => hasPath(s, (p) => p === '/')
  if (known(a) !== known(b)) return known(a) ? -1 : 1
  if (root(a) !== root(b)) return root(a) ? 1 : -1
  return a.AclName < b.AclName ? -1 : a.AclName > b.AclName ? 1 : 0
}

// The ACL and use_backend lines of one service in "frontend services" (text/template:
// no escaping here).
function httpFrontend(s) {
  const acl = s.AclName
  const paths = (d, list) => list.map((p) => ` ${d.PathType || 'path_beg'} ${p}`).join('')
  let hdr = -1 // the template's one counter, reset only before the use_backend headers
  let out = ''
  for (const d of s.ServiceDest) {
    if (d.ReqMode === 'http') {
      if (s.CompressionAlgo) {
        out += `\n    compression algo ${s.CompressionAlgo}`
        if (s.CompressionType) out += `\n    compression type ${s.CompressionType}`
      }
      if (d.Port) {
        const id = `${acl}${d.Port}_${d.Index}`
        out += `\n    acl url_${id}${paths(d, d.ServicePath ?? [])}`
        if (len(d.ServicePathExclude)) out += `\n    acl url_exclude_${id}${paths(d, d.ServicePathExclude)}`
        if (len(d.ServiceDomain)) out += `\n    acl domain_${id} ${s.ServiceDomainAlgo} -i${d.ServiceDomain.map((x) => ` ${x}`).join('')}`
        for (const k of Object.keys(d.ServiceHeader ?? {}).sort()) out += `\n    acl hdr_${acl}${d.Port}_${++hdr} hdr(${k}) ${d.ServiceHeader[k]}`
      }
      if (d.HttpsPort > 0) {
        const id = `${acl}${d.HttpsPort}_${d.Index}`
        out += `\n    acl url_https_${id}${paths(d, d.ServicePath ?? [])}`
        if (len(d.ServicePathExclude)) out += `\n    acl url_exclude_https_${id}${paths(d, d.ServicePathExclude)}`
        if (len(d.ServiceDomain)) out += `\n    acl domain_https_${id} ${s.ServiceDomainAlgo} -i${d.ServiceDomain.map((x) => ` ${x}`).join('')}`
      }
      if (d.IncludeSrcPortACL) out += `\n    ${d.SrcPortAcl}`
      if (d.IncludeSrcHttpsPortACL) out += `\n    ${d.SrcHttpsPortAcl}`
      if (len(d.UserAgent?.Value)) {
        out += `\n    acl user_agent_${acl}_${d.UserAgent.AclName}_${d.Index} hdr_sub(User-Agent) -i${d.UserAgent.Value.map((x) => ` ${x}`).join('')}`
      }
    }
    for (const rd of d.RedirectFromDomain ?? []) {
      if (!len(d.ServiceDomain)) return out // Go's template stops at "index .ServiceDomain 0"
      out += `\n    http-request redirect code 301 prefix http://${d.ServiceDomain[0]} if { hdr_beg(host) -i ${rd} }`
    }
  }
  const redirect = (neg, proto) => {
    for (const d of s.ServiceDest) {
      if (d.ReqMode !== 'http' || !d.Port) continue
      const id = `${acl}${d.Port}_${d.Index}`
      out += `\n    acl is_${acl}_${proto} hdr(X-Forwarded-Proto) ${proto}`
      out += `\n    http-request redirect scheme https${d.HttpsRedirectCode ? ` code ${d.HttpsRedirectCode}` : ''} if ${neg}is_${acl}_${proto} url_${id}${len(d.ServiceDomain) ? ` domain_${id}` : ''}${d.SrcPortAclName}`
    }
  }
  if (s.RedirectWhenHttpProto) redirect('', 'http')
  if (s.RedirectUnlessHttpsProto) redirect('!', 'https')
  for (const d of s.ServiceDest) {
    if (d.ReqMode !== 'http') continue
    const ua = len(d.UserAgent?.Value) ? ` user_agent_${acl}_${d.UserAgent.AclName}_${d.Index}` : ''
    if (d.Port) {
      const id = `${acl}${d.Port}_${d.Index}`
      let cond = `url_${id}`
      if (len(d.ServicePathExclude)) cond += ` !url_exclude_${id}`
      if (len(d.ServiceDomain)) cond += ` domain_${id}`
      if (len(d.ServiceHeader)) {
        hdr = -1
        for (const _k of Object.keys(d.ServiceHeader)) cond += ` hdr_${acl}${d.Port}_${++hdr}`
      }
      out += `\n    use_backend ${acl}-be${d.Port}_${d.Index} if ${cond}${d.SrcPortAclName}${ua}`
      if (s.IsDefaultBackend) out += `\n    default_backend ${acl}-be${d.Port}_${d.Index}`
    }
    if (d.HttpsPort > 0) {
      const id = `${acl}${d.HttpsPort}_${d.Index}`
      let cond = `url_https_${id}`
      if (len(d.ServicePathExclude)) cond += ` !url_exclude_https_${id}`
      if (len(d.ServiceDomain)) cond += ` domain_https_${id}`
      out += `\n    use_backend https-${acl}-be${d.HttpsPort}_${d.Index} if ${cond}${d.SrcHttpsPortAclName}${ua}`
    }
  }
  return out
}

// Debug lines, client timeout and keep-alive of a tcp/sni frontend (from its first service).
function tcpFrontendOptions(s, d) {
  let out = ''
  if (s.Debug) {
    out += '\n    option tcplog\n    log global'
    if (s.DebugFormat) out += `\n    log-format ${s.DebugFormat}`
  }
  if (d.TimeoutClient) out += `\n    timeout client ${d.TimeoutClient}s`
  if (d.Clitcpka) out += '\n    option clitcpka'
  return out
}

// One "frontend tcpFE_<srcPort>" per port (the real proxy walks a Go map here, so its port
// order varies; ascending is one of its orders).
function tcpFrontends(byPort) {
  let out = ''
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const list = byPort.get(port).sort(compareServices)
    out += `\n\nfrontend tcpFE_${port}\n    bind *:${port}\n    mode tcp${tcpFrontendOptions(list[0], list[0].ServiceDest[0])}`
    for (const s of list) {
      for (const d of s.ServiceDest) {
        const id = `${s.AclName}${d.Port}_${d.Index}`
        if (len(d.ServiceDomain)) {
          out += `\n    acl domain_${id} ${s.ServiceDomainAlgo} -i${d.ServiceDomain.map((x) => ` ${x}`).join('')}`
          out += `\n    use_backend ${s.AclName}-be${d.Port}_${d.Index} if domain_${id}`
        } else {
          out += `\n    default_backend ${s.AclName}-be${d.Port}_${d.Index}`
        }
      }
    }
  }
  return out
}

function sniLines(s, i, header) {
  const d = s.ServiceDest[i]
  let out = ''
  if (header) {
    out += `\n\nfrontend service_${d.SrcPort}\n    bind *:${d.SrcPort}\n    mode tcp${tcpFrontendOptions(s, d)}`
    out += '\n    tcp-request inspect-delay 5s\n    tcp-request content accept if { req_ssl_hello_type 1 }'
  }
  out += `\n    acl sni_${s.AclName}${d.Port}-${i + 1}${(d.ServicePath ?? []).map((p) => ` ${d.PathType} ${p}`).join('')}`
  if (d.SrcPortAcl) out += `\n    ${d.SrcPortAcl}`
  out += `\n    use_backend ${s.ServiceName}-be${d.Port}_${d.Index} if sni_${s.AclName}${d.Port}-${i + 1}${s.AclCondition}${d.SrcPortAclName}`
  return out
}

// The real putDomainAlgo: it trims the first "*" domain in the stored service itself (so
// the next regeneration no longer sees the "*" and falls back to SERVICE_DOMAIN_ALGO).
function putDomainAlgo(s, env) {
  if (!s.ServiceDomainAlgo) s.ServiceDomainAlgo = envOf(env, 'SERVICE_DOMAIN_ALGO')
  for (const d of s.ServiceDest) {
    for (const [i, domain] of (d.ServiceDomain ?? []).entries()) {
      if (domain.startsWith('*')) {
        d.ServiceDomain[i] = domain.replace(/^\*+|\*+$/g, '')
        s.ServiceDomainAlgo = 'hdr_end(host)'
        return
      }
    }
  }
}

const ERROR_CODES = [400, 403, 405, 408, 429, 500, 502, 503, 504]
const DUMMY = '    acl url_dummy path_beg /dummy\n    use_backend dummy-be if url_dummy\n\nbackend dummy-be\n    server dummy 1.1.1.1:1111 check'

// The values the base template (haproxy.tmpl) is filled with.
function configData(services, env) {
  const sec = (key, def) => secretOr(env, key, def)
  const splitLines = (key) => sec(key, '').replace(/,/g, '\n    ')
  const debug = eqFold(sec('DEBUG', ''), 'true')
  const d = {
    ConnectionMode: sec('CONNECTION_MODE', 'http-server-close'),
    DefaultReqMode: sec('DEFAULT_REQ_MODE', 'http'),
    Resolvers: sec('RESOLVERS', 'nameserver dns 127.0.0.11:53').split(','),
    SslBindCiphers: sec('SSL_BIND_CIPHERS', 'ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS'),
    SslBindOptions: sec('SSL_BIND_OPTIONS', 'no-sslv3'),
    TimeoutConnect: sec('TIMEOUT_CONNECT', '5'),
    TimeoutClient: sec('TIMEOUT_CLIENT', '20'),
    TimeoutServer: sec('TIMEOUT_SERVER', '20'),
    TimeoutQueue: sec('TIMEOUT_QUEUE', '30'),
    TimeoutTunnel: sec('TIMEOUT_TUNNEL', '3600'),
    TimeoutHttpRequest: sec('TIMEOUT_HTTP_REQUEST', '5'),
    TimeoutHttpKeepAlive: sec('TIMEOUT_HTTP_KEEP_ALIVE', '15'),
    Stats: '',
    UserList: '',
    ExtraGlobal: '',
    ExtraDefaults: '',
    ExtraFrontend: '',
    DefaultBinds: '',
    ContentFrontend: '',
    ContentFrontendTcp: '',
    ContentFrontendSNI: '',
    ContentListen: '',
  }

  const statsUser = sec(envOf(env, 'STATS_USER_ENV'), '')
  const statsPass = sec(envOf(env, 'STATS_PASS_ENV'), '')
  const statsPort = sec('STATS_PORT', '')
  if (statsPort && statsPort !== '80') {
    d.Stats += `\nfrontend stats\n    bind *:${statsPort}\n    default_backend stats\n\nbackend stats\n    mode http`
  }
  if (statsUser && statsPass) {
    d.Stats += `\n    stats enable\n    stats refresh 30s\n    stats realm Strictly\\ Private\n    stats uri ${sec(envOf(env, 'STATS_URI_ENV'), '/admin?stats')}`
    if (!eqFold(statsUser, 'none') && !eqFold(statsPass, 'none')) d.Stats += `\n    stats auth ${statsUser}:${statsPass}`
  }

  const globalUsers = sec('USERS', '')
  if (globalUsers) {
    const users = extractUsers(globalUsers, eqFold(sec('USERS_PASS_ENCRYPTED', ''), 'true'), true)
    if (users.length === 0) users.push(randomUser())
    d.UserList = `\nuserlist defaultUsers\n${users.map((u) => `    user ${u.Username} ${u.PassEncrypted ? 'password' : 'insecure-password'} ${u.Password}\n`).join('')}`
  }

  if (splitLines('EXTRA_FRONTEND')) d.ExtraFrontend = `    ${splitLines('EXTRA_FRONTEND')}`
  if (parseBool(envOf(env, 'CHECK_RESOLVERS')) || parseBool(envOf(env, 'DO_NOT_RESOLVE_ADDR'))) {
    d.ExtraDefaults += '\n    default-server init-addr last,libc,none'
  }
  if (envOf(env, 'COMPRESSION_ALGO')) {
    d.ExtraDefaults += `\n    compression algo ${envOf(env, 'COMPRESSION_ALGO')}`
    if (envOf(env, 'COMPRESSION_TYPE')) d.ExtraDefaults += `\n    compression type ${envOf(env, 'COMPRESSION_TYPE')}`
  }
  if (debug) {
    d.ExtraGlobal += '\n    log 127.0.0.1:1514 local0'
    d.ExtraFrontend += '\n    option httplog\n    log global'
    if (sec('DEBUG_HTTP_FORMAT', '')) d.ExtraFrontend += `\n    log-format ${sec('DEBUG_HTTP_FORMAT', '')}`
    if (eqFold(sec('DEBUG_ERRORS_ONLY', ''), 'true')) d.ExtraDefaults += '\n    option  dontlog-normal'
  } else {
    d.ExtraDefaults += '\n    option  dontlognull\n    option  dontlog-normal'
  }

  // No certificates in the lab: ":ssl" is replaced by nothing, as the real proxy does
  // when it has none, so 443 is bound as plain HTTP.
  const hasHttp = services.some((s) => s.ServiceDest.some((x) => x.ReqMode === 'http'))
  if (services.length === 0 || hasHttp) {
    for (const p of sec('DEFAULT_PORTS', '').split(',')) d.DefaultBinds += `\n    bind *:${p.replaceAll(':ssl', '')}`
  }
  if (splitLines('EXTRA_GLOBAL')) d.ExtraGlobal += `\n    ${splitLines('EXTRA_GLOBAL')}`
  if (sec('BIND_PORTS', '')) {
    for (const p of sec('BIND_PORTS', '').split(',')) d.ExtraFrontend += `\n    bind *:${p.replaceAll(':ssl', '')}`
  }
  if (envOf(env, 'CAPTURE_REQUEST_HEADER')) {
    for (const item of envOf(env, 'CAPTURE_REQUEST_HEADER').split(',')) {
      const [name, size = ''] = item.split(':')
      d.ExtraFrontend += `\n    capture request header ${name} len ${size}`
    }
  }

  // getSni: http services into "frontend services", tcp ones per srcPort, sni per srcPort.
  const tcp = new Map()
  const sni = new Map()
  for (const stored of services.sort(compareServices)) {
    const s = { ...stored }
    if (len(s.ServiceDest) === 0) s.ServiceDest = [{ ...emptyDest(), ReqMode: 'http' }]
    putDomainAlgo(s, env)
    let httpDone = false
    s.ServiceDest.forEach((sd, i) => {
      if (eqFold(sd.ReqMode, 'http')) {
        if (!httpDone) d.ContentFrontend += httpFrontend(s)
        httpDone = true
      } else if (eqFold(sd.ReqMode, 'sni')) {
        sni.set(sd.SrcPort, (sni.get(sd.SrcPort) ?? '') + sniLines(s, i, !sni.has(sd.SrcPort)))
      } else if (!sd.ServiceGroup) {
        // (serviceGroup "listen" blocks of the real proxy are not imitated)
        const one = { ...s, ServiceDest: [sd] }
        if (eqFold(envOf(env, 'DEBUG'), 'true')) Object.assign(one, { Debug: true, DebugFormat: sec('DEBUG_TCP_FORMAT', '') })
        if (!tcp.has(sd.SrcPort)) tcp.set(sd.SrcPort, [])
        tcp.get(sd.SrcPort).push(one)
      }
    })
  }
  d.ContentFrontendTcp = tcpFrontends(tcp)
  d.ContentFrontendSNI = [...sni.keys()].sort((a, b) => a - b).map((p) => sni.get(p)).join('')
  return d
}

function baseTemplate(d, env) {
  const { errorfiles, run } = paths(env)
  return [
    'global',
    `    pidfile ${run}/haproxy.pid`,
    `    stats socket ${run}/haproxy.sock mode 660 level admin expose-fd listeners`,
    `    tune.ssl.default-dh-param 2048${d.ExtraGlobal}`,
    '',
    '    # disable sslv3, prefer modern ciphers',
    `    ssl-default-bind-options ${d.SslBindOptions}`,
    `    ssl-default-bind-ciphers ${d.SslBindCiphers}`,
    '',
    `    ssl-default-server-options ${d.SslBindOptions}`,
    `    ssl-default-server-ciphers ${d.SslBindCiphers}`,
    '',
    `resolvers docker${d.Resolvers.map((r) => `\n    ${r}`).join('')}`,
    '',
    'defaults',
    '    mode    http',
    '    balance roundrobin',
    d.ExtraDefaults,
    `    option  ${d.ConnectionMode}`,
    '    option  redispatch',
    '',
    ...ERROR_CODES.map((c) => `    errorfile ${c} ${errorfiles}/${c}.http`),
    '',
    '    maxconn 5000',
    `    timeout connect ${d.TimeoutConnect}s`,
    `    timeout client  ${d.TimeoutClient}s`,
    `    timeout server  ${d.TimeoutServer}s`,
    `    timeout queue   ${d.TimeoutQueue}s`,
    `    timeout tunnel  ${d.TimeoutTunnel}s`,
    `    timeout http-request ${d.TimeoutHttpRequest}s`,
    `    timeout http-keep-alive ${d.TimeoutHttpKeepAlive}s`,
    d.Stats,
    d.UserList,
    `frontend services${d.DefaultBinds}`,
    `    mode ${d.DefaultReqMode}${d.DefaultReqMode === 'http' ? '\n    option  forwardfor' : ''}`,
    `${d.ExtraFrontend}${d.ContentFrontend}${d.ContentFrontendTcp}${d.ContentFrontendSNI}${d.ContentListen}`,
    '',
  ].join('\n')
}

// haproxy.cfg as the real proxy assembles it: the base template, then every <acl>-fe.cfg,
// then every <acl>-be.cfg (file-name order), joined by blank lines, with no newline at
// the end. `services` are the stored records (their domains may be trimmed, see
// putDomainAlgo); `files` maps template file names to their text.
export function renderConfig(services, files, env = process.env) {
  const list = services.map((s) => ({ ...s, AclName: s.AclName || s.ServiceName }))
  for (const s of list) for (const d of s.ServiceDest ?? []) if (!d.ReqMode) d.ReqMode = 'http'
  const names = [...files.keys()]
  const fe = names.filter((n) => n.endsWith('-fe.cfg')).sort()
  const be = names.filter((n) => n.endsWith('-be.cfg')).sort()
  const parts = [baseTemplate(configData(list, env), env), ...fe.map((n) => files.get(n)), ...be.map((n) => files.get(n))]
  if (fe.length + be.length === 0) parts.push(DUMMY)
  return parts.join('\n\n')
}

// The haproxy.cfg baked into the real image, served until the first change. Only its bind
// lines come from DEFAULT_PORTS (":ssl" dropped) rather than a fixed 80/443, so that a
// stand-in run as a host process can be told where to listen.
export function bakedConfig(env = process.env) {
  const { run } = paths(env)
  const binds = secretOr(env, 'DEFAULT_PORTS', '80,443:ssl')
    .split(',')
    .map((p) => `    bind *:${p.replaceAll(':ssl', '')}`)
  return [
    'global',
    `    pidfile ${run}/haproxy.pid`,
    `    stats socket ${run}/haproxy.sock mode 660 level admin expose-fd listeners`,
    '',
    'defaults',
    '    mode    http',
    '    balance roundrobin',
    '',
    '    option  dontlognull',
    '    option  dontlog-normal',
    '    option  redispatch',
    '',
    '    maxconn 5000',
    '    timeout connect 5s',
    '    timeout client  20s',
    '    timeout server  20s',
    '    timeout queue   30s',
    '    timeout http-request 5s',
    '    timeout http-keep-alive 15s',
    '',
    '    stats enable',
    '    stats refresh 30s',
    '    stats realm Strictly\\ Private',
    '    stats uri /admin?stats',
    '',
    'frontend dummy-fe',
    ...binds,
    '    mode http',
    '    option  forwardfor',
    '    option http-server-close',
    '    acl url_dummy path_beg /dummy',
    '    use_backend dummy-be if url_dummy',
    '',
    'backend dummy-be',
    '    mode http',
    '    server dummy 127.0.0.1:1111',
    '',
  ].join('\n')
}
