// The per-service template files the real proxy writes: <aclName>-be.cfg.
import { envOf, secretOr } from './environment.mjs'
import { eqFold, GO_BOOL, len, parseBool } from './go.mjs'

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
