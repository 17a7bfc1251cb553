// haproxy.cfg as the real proxy assembles it: the base template (haproxy.tmpl), the frontends, the backends.
import { envOf, paths, secretOr } from './environment.mjs'
import { eqFold, len, parseBool } from './go.mjs'
import { emptyDest, extractUsers, randomUser } from './service.mjs'

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
