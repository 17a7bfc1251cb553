// Turns docker-flow-proxy request parameters into a service record and renders
// haproxy.cfg with the naming of the current docker-flow-proxy (url_<acl><port>_<index>,
// <acl>-be<port>_<index>), so swarmnet sees the same file it would see in the real proxy.
// Field names of the records are the ones the real proxy puts in its JSON answers.

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']) // Go's strconv.ParseBool
export const bool = (v) => TRUE.has(v)
const int = (v) => (/^[+-]?\d+$/.test(v) ? Number(v) : 0)

// Parameters arrive as [key, value] pairs (POST body first, then query, like Go's
// ParseForm). The real proxy matches service-level names case-insensitively; an exact
// match wins.
export function getter(pairs) {
  return (name) => {
    const exact = pairs.find(([k]) => k === name)
    if (exact) return exact[1]
    const lower = name.toLowerCase()
    const loose = pairs.find(([k]) => k.toLowerCase() === lower)
    return loose ? loose[1] : ''
  }
}

// The fields of a service the real proxy answers with when there is no service
// (ping, remove, reload). Users is left out on purpose: never echo passwords.
export function emptyService() {
  return {
    AclName: '',
    DiscoveryType: '',
    Distribute: false,
    IsDefaultBackend: false,
    IsGlobal: false,
    Replicas: 0,
    ServiceDomainAlgo: '',
    ServiceDest: null,
  }
}

export function serviceFromParams(pairs, env = process.env) {
  const get = getter(pairs)
  const sep = env.SEPARATOR || ','
  const forceHttps = bool(env.HTTPS_ONLY || '')

  // Per-destination value: ".N" wins, else the un-indexed value (proxy/types.go).
  const dest = (n) => {
    const sfx = n > 0 ? `.${n}` : ''
    const pick = (name) => get(name + sfx) || get(name)
    const list = (name) => (pick(name) ? pick(name).split(sep) : [])
    return {
      HttpsOnly: bool(pick('httpsOnly')) || forceHttps,
      Index: n,
      PathType: pick('pathType') || 'path_beg',
      Port: pick('port'),
      ReqMode: (pick('reqMode') || 'http').toLowerCase(),
      ServiceDomain: list('serviceDomain'),
      ServicePath: list('servicePath'),
      SrcPort: int(pick('srcPort')),
    }
  }
  const present = (sfx) => ['servicePath', 'port', 'serviceDomain'].some((k) => get(k + sfx) !== '')

  // Indexed destinations .1..10 must be contiguous; the first gap ends the list.
  const dests = []
  for (let n = 1; n <= 10 && present(`.${n}`); n++) dests.push(dest(n))
  if (dests.length === 0) dests.push(dest(0))
  let algo = get('serviceDomainAlgo') || env.SERVICE_DOMAIN_ALGO || 'hdr_beg(host)'
  for (const d of dests) {
    // A domain without a path means "the whole domain".
    if (d.ServiceDomain.length > 0 && d.ServicePath.length === 0) d.ServicePath = ['/']
    // "*.example.com" is matched on the end of the Host header, as the real proxy does.
    d.ServiceDomain = d.ServiceDomain.map((dom) => {
      if (!dom.startsWith('*')) return dom
      algo = 'hdr_end(host)'
      return dom.replace(/^\*+|\*+$/g, '')
    })
  }

  const replicas = get('replicas')
  return {
    ServiceName: get('serviceName'),
    AclName: get('aclName'),
    DiscoveryType: get('discoveryType'),
    Distribute: bool(get('distribute')),
    IsDefaultBackend: bool(get('isDefaultBackend')),
    // No replicas parameter means a global service (the listener always sends it for
    // replicated ones); replicas=0 on a replicated service means "remove the route".
    IsGlobal: replicas === '',
    Replicas: int(replicas),
    ServiceDomainAlgo: algo,
    ServiceDest: dests,
  }
}

// Same checks, order, codes and texts as the real proxy (IsValidReconf + hasPort).
export function validate(s) {
  const d = s.ServiceDest[0]
  if (!s.ServiceName) return { status: 400, message: 'serviceName parameter is mandatory.' }
  if (d.ReqMode === 'http') {
    if (d.ServicePath.length === 0 && d.ServiceDomain.length === 0) {
      return { status: 409, message: 'When using reqMode http, servicePath or serviceDomain are mandatory' }
    }
  } else if (!d.SrcPort || !d.Port) {
    return { status: 400, message: 'When NOT using reqMode http (e.g. tcp), srcPort and port parameters are mandatory.' }
  }
  if (!d.Port) return { status: 400, message: 'When MODE is set to "service" or "swarm", the port query is mandatory' }
  return null
}

const aclOf = (s) => s.AclName || s.ServiceName
const hasPath = (s, test) => s.ServiceDest.some((d) => d.ServicePath.some(test))

// The real proxy's order: /.well-known first, services owning "/" last, else by AclName.
export function sortServices(services) {
  const key = (s) => [
    hasPath(s, (p) => p.toLowerCase().startsWith('/.well-known')) ? 0 : 1,
    hasPath(s, (p) => p === '/') ? 1 : 0,
  ]
  return [...services].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)]
    if (ka[0] !== kb[0]) return ka[0] - kb[0]
    if (ka[1] !== kb[1]) return ka[1] - kb[1]
    return aclOf(a) < aclOf(b) ? -1 : aclOf(a) > aclOf(b) ? 1 : 0
  })
}

// Backends are found through Docker's DNS at run time, so replicas that come and go are
// followed; "init-addr last,libc,none" keeps HAProxy from refusing a config whose
// service is not (yet) resolvable.
const SERVER_OPTS = 'check resolvers docker init-addr last,libc,none'

function frontendLines(s) {
  const acl = aclOf(s)
  const dests = s.ServiceDest.filter((d) => d.ReqMode === 'http' && d.Port)
  const id = (d) => `${acl}${d.Port}_${d.Index}`
  const lines = []
  for (const d of dests) {
    lines.push(`    acl url_${id(d)}${d.ServicePath.map((p) => ` ${d.PathType} ${p}`).join('')}`)
    if (d.ServiceDomain.length) lines.push(`    acl domain_${id(d)} ${s.ServiceDomainAlgo} -i ${d.ServiceDomain.join(' ')}`)
    if (d.SrcPort > 0) lines.push(`    acl srcPort_${acl}${d.SrcPort}_${d.Index} dst_port ${d.SrcPort}`)
  }
  for (const d of dests) {
    let cond = `url_${id(d)}`
    if (d.ServiceDomain.length) cond += ` domain_${id(d)}`
    if (d.SrcPort > 0) cond += ` srcPort_${acl}${d.SrcPort}_${d.Index}`
    lines.push(`    use_backend ${acl}-be${d.Port}_${d.Index} if ${cond}`)
    if (s.IsDefaultBackend) lines.push(`    default_backend ${acl}-be${d.Port}_${d.Index}`)
  }
  return lines
}

function backendBlocks(s) {
  const acl = aclOf(s)
  return s.ServiceDest.filter((d) => d.Port).map((d) => {
    const lines = [`backend ${acl}-be${d.Port}_${d.Index}`]
    const target = `${s.ServiceName}:${d.Port}`
    if (d.ReqMode === 'http') {
      lines.push('    mode http')
      if (d.HttpsOnly) lines.push('    http-request redirect scheme https if !{ ssl_fc }')
      lines.push('    http-request add-header X-Forwarded-Proto https if { ssl_fc }')
    } else {
      lines.push('    mode tcp')
    }
    // discoveryType=DNS: one slot per replica, so a dnsrr service is balanced by HAProxy.
    if (s.DiscoveryType === 'DNS') {
      lines.push(`    server-template ${s.ServiceName} ${Math.max(s.Replicas, 1)} ${target} ${SERVER_OPTS}`)
    } else {
      lines.push(`    server ${s.ServiceName} ${target} ${SERVER_OPTS}`)
    }
    return lines.join('\n')
  })
}

// tcp (and, simplified, sni) destinations get one frontend per srcPort.
function tcpFrontends(sorted) {
  const byPort = new Map()
  for (const s of sorted) {
    for (const d of s.ServiceDest) {
      if (d.ReqMode === 'http' || !d.Port) continue
      if (!byPort.has(d.SrcPort)) byPort.set(d.SrcPort, [])
      byPort.get(d.SrcPort).push([s, d])
    }
  }
  return [...byPort.keys()].sort((a, b) => a - b).map((port) => {
    const lines = [`frontend tcpFE_${port}`, `    bind *:${port}`, '    mode tcp']
    for (const [s, d] of byPort.get(port)) {
      const id = `${aclOf(s)}${d.Port}_${d.Index}`
      const be = `${aclOf(s)}-be${d.Port}_${d.Index}`
      if (d.ServiceDomain.length) {
        lines.push(`    acl domain_${id} ${s.ServiceDomainAlgo} -i ${d.ServiceDomain.join(' ')}`)
        lines.push(`    use_backend ${be} if domain_${id}`)
      } else {
        lines.push(`    default_backend ${be}`)
      }
    }
    return lines.join('\n')
  })
}

export function renderConfig(services, env = process.env) {
  const sorted = sortServices(services)
  const anyHttp = sorted.some((s) => s.ServiceDest.some((d) => d.ReqMode === 'http'))
  const resolvers = (env.RESOLVERS || 'nameserver dns 127.0.0.11:53').split(',').map((l) => `    ${l.trim()}`)
  const portList = (v) => (v || '').split(',').map((p) => p.trim().replace(/:ssl$/, '')).filter(Boolean)
  // No certificates in the lab: a ":ssl" suffix is dropped and the port bound as plain HTTP.
  const binds = sorted.length === 0 || anyHttp ? portList(env.DEFAULT_PORTS ?? '80,443') : []
  binds.push(...portList(env.BIND_PORTS))
  const t = (name, def) => env[name] || def

  const frontend = [
    'frontend services',
    ...binds.map((p) => `    bind *:${p}`),
    '    mode http',
    '    option  forwardfor',
  ]
  const routes = sorted.flatMap(frontendLines)
  if (routes.length) frontend.push('', ...routes)
  const backends = sorted
    .slice()
    .sort((a, b) => (`${aclOf(a)}-be.cfg` < `${aclOf(b)}-be.cfg` ? -1 : 1)) // the real proxy's file order
    .flatMap(backendBlocks)
  if (sorted.length === 0) {
    // Like the real proxy: HAProxy wants something to route to.
    frontend.push('', '    acl url_dummy path_beg /dummy', '    use_backend dummy-be if url_dummy')
    backends.push('backend dummy-be\n    server dummy 1.1.1.1:1111 check')
  }

  const sections = [
    ['global', '    maxconn 5000', '    hard-stop-after 30s'].join('\n'),
    ['resolvers docker', ...resolvers].join('\n'),
    [
      'defaults',
      '    mode    http',
      '    balance roundrobin',
      `    option  ${t('CONNECTION_MODE', 'http-keep-alive')}`,
      '    option  redispatch',
      '    option  dontlognull',
      '    maxconn 5000',
      `    timeout connect ${t('TIMEOUT_CONNECT', '5')}s`,
      `    timeout client  ${t('TIMEOUT_CLIENT', '20')}s`,
      `    timeout server  ${t('TIMEOUT_SERVER', '20')}s`,
      `    timeout queue   ${t('TIMEOUT_QUEUE', '30')}s`,
      `    timeout tunnel  ${t('TIMEOUT_TUNNEL', '3600')}s`,
      `    timeout http-request ${t('TIMEOUT_HTTP_REQUEST', '5')}s`,
      `    timeout http-keep-alive ${t('TIMEOUT_HTTP_KEEP_ALIVE', '15')}s`,
    ].join('\n'),
    frontend.join('\n'),
    ...tcpFrontends(sorted),
    ...backends,
  ]
  // HAProxy 2.3+ refuses a file whose last line has no newline (the real proxy's bug).
  return sections.join('\n\n') + '\n'
}
