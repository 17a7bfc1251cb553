// Lab stand-in for docker-flow-proxy (docker-flow/docker-flow-proxy at f3219564): speaks its
// HTTP API with the real one's paths, status codes, messages, JSON and Content-Types, keeps
// routes in memory only, writes /cfg/haproxy.cfg as the real one does (per-aclName template
// files, no newline at the end) and drives a real HAProxy 2.6, which is run on a copy of
// that file with the final newline added (HAProxy 2.3+ refuses the file without it).
//
// The real proxy's environment is read with its image's defaults (SERVICE_NAME, DEFAULT_PORTS,
// BIND_PORTS, RESOLVERS, SEPARATOR, HTTPS_ONLY, SERVICE_DOMAIN_ALGO, CONNECTION_MODE,
// TIMEOUT_*, CHECK_RESOLVERS, DO_NOT_RESOLVE_ADDR, USERS, USERS_PASS_ENCRYPTED, STATS_*,
// DEBUG*, EXTRA_FRONTEND, EXTRA_GLOBAL, COMPRESSION_*, RECONFIGURE_ATTEMPTS, ...).
// Lab-only: PORT (8080), CFG_DIR (/cfg), HAPROXY_BIN (haproxy), ERRORFILES_DIR (/errorfiles),
// HAPROXY_RUN_DIR (/var/run: pid file and admin socket), RECONFIGURE_INTERVAL_MS (1000: pause
// between HAProxy checks), RELOAD_MIN_MS (500: the shortest answer after a reload).
import http from 'node:http'
import fs from 'node:fs/promises'
import path from 'node:path'
import dns from 'node:dns'
import { fileURLToPath } from 'node:url'
import {
  RELOAD_FIELDS,
  REMOVE_FIELDS,
  backendFile,
  bakedConfig,
  envOf,
  goJson,
  parseBool,
  parseQuery,
  paths,
  prepareService,
  renderConfig,
  response,
  schemaDecode,
  serviceFromRequest,
  settings,
  validate,
} from './config.mjs'
import { HAProxy, showStat } from './haproxy.mjs'
import { distribute } from './distribute.mjs'

const env = process.env
const PORT = Number(env.PORT || 8080)
const CFG_DIR = env.CFG_DIR || '/cfg'
const CFG = path.join(CFG_DIR, 'haproxy.cfg')
const RUN_CFG = path.join(CFG_DIR, '.haproxy-run.cfg') // what HAProxy runs: CFG plus a final newline
const CHECK_CFG = path.join(CFG_DIR, '.haproxy-check.cfg')
const SERVICE_NAME = envOf(env, 'SERVICE_NAME')
const { attempts: ATTEMPTS, intervalMs: INTERVAL_MS, reloadMinMs: RELOAD_MIN_MS } = settings(env)
const DISTRIBUTED = 'Distributed to all instances'

// Passwords reach the config and the answers (as in the real proxy), never our log.
const secret = (text) =>
  String(text)
    .replace(/(users=)[^&\s]*/gi, '$1***')
    .replace(/((?:insecure-)?password )\S+/g, '$1***')
    .replace(/("Password":)"(?:[^"\\]|\\.)*"/g, '$1"***"')
const log = (msg) => console.log(`${new Date().toISOString()} ${secret(msg)}`)
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
// In messages, HAProxy's copies of the file go by the file's own name.
const ownName = (text) => text.split(CHECK_CFG).join(CFG).split(RUN_CFG).join(CFG)

// The real proxy's state: services by name, and the template files <aclName>-fe.cfg /
// <aclName>-be.cfg (kept here in memory). A file outlives its service when the service
// changes aclName or is removed under another aclName, as in the real proxy.
const services = new Map()
const files = new Map()
const certs = new Map() // PUT cert: listed by `certs`, not given to HAProxy (no TLS in the lab)

// One regenerate-and-reload at a time, like the real proxy's reload mutex.
let chain = Promise.resolve()
const exclusive = (fn) => {
  const run = chain.then(fn)
  chain = run.catch(() => {})
  return run
}

const haproxy = new HAProxy({
  bin: env.HAPROXY_BIN || 'haproxy',
  cfg: RUN_CFG,
  log,
  onExit: (code, signal) => {
    log(`HAProxy exited (${signal || code}); exiting so that Swarm restarts the task`)
    process.exit(1)
  },
})

async function writeAtomic(file, text) {
  await fs.writeFile(`${file}.tmp`, text)
  await fs.rename(`${file}.tmp`, file)
}

const writeConfig = () => writeAtomic(CFG, renderConfig([...services.values()], files, env))

// `haproxy -c -V` on the file as it is on disk now; the real proxy's message on failure.
async function checkConfig() {
  const text = await fs.readFile(CFG, 'utf8').catch(() => null)
  if (text === null) {
    const r = await haproxy.validate(CFG)
    return { ok: false, message: `Config validation failed\n\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\n\n` }
  }
  await fs.writeFile(CHECK_CFG, text.endsWith('\n') ? text : `${text}\n`)
  const r = await haproxy.validate(CHECK_CFG)
  if (r.ok) return { ok: true }
  return { ok: false, message: `Config validation failed\n\nstdout:\n${ownName(r.stdout)}\nstderr:\n${ownName(r.stderr)}\n\n${text}` }
}

// The real proxy's Reload: up to RECONFIGURE_ATTEMPTS rounds of "check the file, then
// reload", a pause after every failed round, and the answer only once the new HAProxy
// runs. Resolves null, or the last error text.
async function reloadHaproxy() {
  log('Reloading the proxy')
  let error = null
  for (let i = 0; i < ATTEMPTS; i++) {
    const check = await checkConfig()
    if (!check.ok) {
      log('Config validation failed. Will try again...')
      error = check.message
      await sleep(INTERVAL_MS)
      continue
    }
    const started = Date.now()
    await fs.rename(CHECK_CFG, RUN_CFG)
    const r = await haproxy.reload()
    if (r.ok) {
      await sleep(RELOAD_MIN_MS - (Date.now() - started))
      log('Proxy config was reloaded')
      return null
    }
    error = `Command -W -db -f ${CFG} (SIGUSR2 to the running master)\n\nstdout:\n\nstderr:\n${ownName(r.output || r.message)}\n`
    if (/^true$/i.test(envOf(env, 'DISPLAY_CONFIG_ON_ERROR'))) {
      error += `\n${await fs.readFile(CFG, 'utf8').catch(() => '')}`
    }
    log('Proxy config could not be reloaded. Will try again...')
    await sleep(INTERVAL_MS)
  }
  await fs.rm(CHECK_CFG, { force: true })
  if (error) log(`reload failed: ${summary(error)}`)
  return error
}

const regenerateAndReload = () =>
  exclusive(async () => {
    await writeConfig()
    return reloadHaproxy()
  })

function dropService(name, aclName) {
  if (!services.has(name)) return false
  services.delete(name)
  const acl = aclName || name
  files.delete(`${acl}-fe.cfg`)
  files.delete(`${acl}-be.cfg`)
  return true
}

// actions.Remove: files are found by the aclName given here, not the stored one.
function removeService(name, aclName) {
  log(`Removing ${name} configuration`)
  if (!dropService(name, aclName)) {
    log(`${name} was not configured, no reload required`)
    return Promise.resolve(null)
  }
  return regenerateAndReload()
}

async function lookupAll(name) {
  try {
    return (await dns.promises.lookup(name, { all: true })).map((a) => a.address)
  } catch {
    return null
  }
}

// actions.Reconfigure.Execute on the proxy's own copy of the service.
async function reconfigureService(s) {
  if (/^true$/i.test(envOf(env, 'FILTER_PROXY_INSTANCE_NAME')) && envOf(env, 'PROXY_INSTANCE_NAME').toLowerCase() !== s.ProxyInstanceName.toLowerCase()) {
    log(`Filtering ${s.ServiceName} configuration, with proxyInstanceName: ${s.ProxyInstanceName}`)
    return null
  }
  if (/^false$/i.test(envOf(env, 'SKIP_ADDRESS_VALIDATION'))) {
    const host = s.ServiceDest[0]?.OutboundHostname || s.ServiceName
    if (!(await lookupAll(host))) return `lookup ${host}: no such host`
  }
  if (!s.IsGlobal && s.Replicas === 0) return removeService(s.ServiceName, s.AclName)
  const template = s.TemplateFePath || s.TemplateBePath
  if (template) {
    const exists = await fs.access(template).then(() => true, () => false)
    return exists ? `${template}: custom templates are not rendered by the lab stand-in` : `open ${template}: no such file or directory`
  }
  if (s.DiscoveryType === 'DNS' && s.Replicas <= 0) {
    const ips = await lookupAll(`tasks.${s.ServiceName}`)
    if (ips) s.Replicas = ips.length
  }
  log(`Creating configuration for the service ${s.ServiceName}`)
  prepareService(s, env)
  files.set(`${s.AclName}-fe.cfg`, '')
  files.set(`${s.AclName}-be.cfg`, backendFile(s))
  services.set(s.ServiceName, s)
  return exclusive(async () => {
    await writeConfig()
    const error = await reloadHaproxy()
    // A service HAProxy refused goes away entirely, its earlier working route too.
    if (error && dropService(s.ServiceName, s.AclName)) {
      await writeConfig()
      await reloadHaproxy()
    }
    return error
  })
}

// The real proxy writes the status before it sets the Content-Type on these, so Go sniffs
// the JSON as text; ping/test/config/certs set theirs properly.
const SNIFFED = 'text/plain; charset=utf-8'
const reply = (status, type, body, note = '', headers = {}) => ({ status, type, body, note, headers })
const dfp = (status, obj) => reply(status, SNIFFED, goJson(obj), obj.Message)
const json = (status, obj) => reply(status, 'application/json', goJson(obj))
const empty = (status) => reply(status, SNIFFED, '')

// One line for the log: the first line of a message and HAProxy's first real complaint.
function summary(message) {
  const lines = String(message).split('\n')
  const stderr = lines.indexOf('stderr:')
  const end = stderr < 0 ? -1 : lines.indexOf('', stderr + 1)
  const said = stderr < 0 ? [] : lines.slice(stderr + 1, end < 0 ? undefined : end)
  const why =
    said.find((l) => l.startsWith('[ALERT]') && !/Error\(s\) found|Fatal errors found/.test(l)) ??
    said.find((l) => l.trim() && !l.startsWith('[NOTICE]'))
  return why ? `${lines[0]}: ${why.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, '')}` : lines[0]
}

const distributeTo = (ctx) => distribute(ctx, { port: PORT, serviceName: SERVICE_NAME })

async function reconfigure(ctx) {
  const sr = serviceFromRequest(ctx.query, ctx.form, env)
  if (sr.SessionType) sr.Tasks = await lookupAll(`tasks.${sr.ServiceName}`)
  // The answer shows the request's service; the proxy works on a copy that shares the
  // destinations (and so their filled-in defaults) with it.
  const answer = (code, message) => dfp(code, response(code < 300 ? 'OK' : 'NOK', message, sr.ServiceName, sr))
  const invalid = validate(sr)
  if (invalid) return answer(invalid.status, invalid.message)
  if (sr.Distribute) {
    const r = await distributeTo(ctx)
    return answer(r.ok ? 200 : 500, r.ok ? DISTRIBUTED : r.message)
  }
  const error = await reconfigureService({ ...sr })
  return error ? answer(500, error) : answer(200, '')
}

async function remove(ctx) {
  const p = schemaDecode({ aclName: '', distribute: false, serviceName: '' }, REMOVE_FIELDS, ctx.form)
  const body = response('OK', '', p.serviceName)
  let code = 200
  if (p.distribute) Object.assign(body, { Distribute: true, Message: DISTRIBUTED })
  if (!p.serviceName) {
    Object.assign(body, { Status: 'NOK', Message: 'The serviceName query is mandatory' })
    code = 400
  } else if (p.distribute) {
    const r = await distributeTo(ctx)
    if (!r.ok) {
      Object.assign(body, { Status: 'NOK', Message: r.message })
      code = 500
    }
  } else {
    await removeService(p.serviceName, p.aclName) // its failure is not reported, as in the real proxy
  }
  return dfp(code, body)
}

// reload?fromListener=true asks each LISTENER_ADDRESS to re-send all services.
async function notifyListeners() {
  const errors = []
  for (let addr of envOf(env, 'LISTENER_ADDRESS').split(',').filter(Boolean)) {
    if (!addr.includes(':')) addr += ':8080'
    if (!addr.startsWith('http://')) addr = `http://${addr}`
    try {
      const res = await fetch(`${addr}/v1/docker-flow-swarm-listener/notify-services`, { signal: AbortSignal.timeout(30000) })
      await res.arrayBuffer()
      if (res.status !== 200) errors.push(`Swarm Listener responded with the status code ${res.status}`)
    } catch (err) {
      errors.push(err.message)
    }
  }
  return errors.length ? errors.join(' ,') : null
}

// A failed reload answers 500 with Status "OK" and no Message: the real handler writes
// the error into a throw-away response.
async function reload(ctx) {
  const p = schemaDecode({ recreate: false, fromListener: false }, RELOAD_FIELDS, ctx.form)
  const error = p.fromListener
    ? await notifyListeners()
    : await exclusive(async () => {
        if (p.recreate) await writeConfig()
        return reloadHaproxy()
      })
  return reply(error ? 500 : 200, SNIFFED, goJson(response('OK', '', '')), error ? summary(error) : '')
}

async function config(ctx) {
  if (ctx.q('type').toLowerCase() === 'json') {
    const map = Object.fromEntries([...services.keys()].sort().map((k) => [k, services.get(k)]))
    return json(200, map)
  }
  const text = await fs.readFile(CFG, 'utf8').catch(() => null)
  return text === null ? reply(500, 'text/html', '') : reply(200, 'text/html', text)
}

async function certsList() {
  const list = [...certs.keys()].sort().map((name) => ({ ServicePort: '', ProxyServiceName: name, CertsDir: '/certs', CertContent: certs.get(name) }))
  return json(200, { Status: 'OK', Message: '', Certs: list })
}

async function certPut(ctx) {
  const nok = (message) => reply(400, SNIFFED, goJson({ Status: 'NOK', Message: message, Certs: null }), message)
  if (parseBool(ctx.q('distribute'))) {
    const r = await distributeTo(ctx)
    return r.ok ? empty(200) : nok(r.message)
  }
  if (!ctx.q('certName')) return nok('Query parameter certName is mandatory')
  if (!ctx.body) return nok('Body is empty')
  certs.set(ctx.q('certName'), ctx.body)
  await regenerateAndReload()
  return json(200, { Status: 'OK', Message: '', Certs: null })
}

// HAProxy's stats CSV (from the admin socket); distribute=true joins every replica's.
async function metrics(ctx) {
  if (ctx.q('distribute').toLowerCase() === 'true') {
    const ips = await lookupAll(`tasks.${SERVICE_NAME}`)
    if (!ips) return empty(500)
    const query = new URLSearchParams(ctx.rawQuery)
    query.set('distribute', 'false')
    let body = ''
    for (const ip of ips) {
      try {
        const host = ip.includes(':') ? `[${ip}]` : ip
        const res = await fetch(`http://${host}:${PORT}/v1/docker-flow-proxy/metrics?${query}`, { signal: AbortSignal.timeout(30000) })
        if (res.status >= 300) return reply(500, SNIFFED, '')
        body += await res.text()
        if (!body.endsWith('\n')) body += '\n'
      } catch {
        return reply(500, SNIFFED, '')
      }
    }
    return reply(200, SNIFFED, body)
  }
  try {
    return reply(200, SNIFFED, await showStat(path.join(paths(env).run, 'haproxy.sock')))
  } catch (err) {
    log(`Failed to fetch metrics: ${err.message}`)
    return empty(500)
  }
}

const ROUTES = {
  '/v1/docker-flow-proxy/cert': (ctx) => (ctx.method === 'PUT' ? certPut(ctx) : empty(405)),
  '/v1/docker-flow-proxy/certs': certsList,
  '/v1/docker-flow-proxy/config': config,
  '/v1/docker-flow-proxy/metrics': metrics,
  '/v1/docker-flow-proxy/ping': async () => json(200, response('OK', '', '')),
  '/v1/docker-flow-proxy/reconfigure': reconfigure,
  '/v1/docker-flow-proxy/reload': reload,
  '/v1/docker-flow-proxy/remove': remove,
  // 200 only once routes were fetched from a swarm listener at start-up, which the
  // stand-in never does.
  '/v1/docker-flow-proxy/successfulinitreload': async () => empty(500),
  '/v1/test': async () => json(200, response('OK', 'Test v1', '')),
  '/v2/test': async () => json(200, response('OK', 'Test v2', '')),
}

// gorilla/mux: an unclean path is redirected to its clean form; a known path with (or
// without) an extra trailing slash is redirected too (StrictSlash).
function cleanPath(p) {
  if (!p) return '/'
  if (!p.startsWith('/')) p = `/${p}`
  const parts = []
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') parts.pop()
    else parts.push(seg)
  }
  const clean = `/${parts.join('/')}`
  return p.endsWith('/') && clean !== '/' ? `${clean}/` : clean
}

function redirect(ctx, location) {
  const headers = { Location: location }
  if (ctx.method === 'GET') return reply(301, 'text/html; charset=utf-8', `<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&#34;')}">Moved Permanently</a>.\n\n`, '', headers)
  return reply(301, ctx.method === 'HEAD' ? 'text/html; charset=utf-8' : SNIFFED, '', '', headers)
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > 10 << 20) reject(new Error('http: POST too large'))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

async function route(req) {
  const raw = req.url || '/'
  const qi = raw.indexOf('?')
  const rawPath = qi < 0 ? raw : raw.slice(0, qi)
  const rawQuery = qi < 0 ? '' : raw.slice(qi + 1)
  let urlPath = rawPath
  try {
    urlPath = decodeURIComponent(rawPath)
  } catch {
    // keep it as sent
  }
  const suffix = rawQuery ? `?${rawQuery}` : ''
  const ctx0 = { method: req.method }
  if (cleanPath(urlPath) !== urlPath) return reply(301, SNIFFED, '', '', { Location: cleanPath(urlPath) + suffix })
  const handler = ROUTES[urlPath]
  if (!handler) {
    const other = urlPath.endsWith('/') ? urlPath.slice(0, -1) : `${urlPath}/`
    if (ROUTES[other]) return redirect(ctx0, other + suffix)
    return reply(404, SNIFFED, '404 page not found\n')
  }

  const body = await readBody(req)
  const query = parseQuery(rawQuery)
  const mediaType = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase()
  // Like Go's ParseForm: a url-encoded body of POST/PUT/PATCH counts, before the query.
  const fromBody = ['POST', 'PUT', 'PATCH'].includes(req.method) && mediaType === 'application/x-www-form-urlencoded' ? parseQuery(body) : []
  const ctx = {
    method: req.method,
    path: urlPath,
    rawQuery,
    body,
    contentType: req.headers['content-type'] || '',
    query,
    form: [...fromBody, ...query],
    q: (name) => query.find(([k]) => k === name)?.[1] ?? '', // URL.Query().Get
  }
  return handler(ctx)
}

async function handle(req, res) {
  let out
  try {
    out = await route(req)
  } catch (err) {
    out = reply(500, SNIFFED, `${err.message}\n`, err.message)
  }
  res.writeHead(out.status, { 'Content-Type': out.type, 'Content-Length': Buffer.byteLength(out.body), ...out.headers })
  res.end(out.body)
  log(`${req.method} ${req.url} -> ${out.status}${out.note ? ` ${summary(out.note)}` : ''}`)
}

const server = http.createServer(handle)
server.on('error', (err) => {
  log(`fatal: ${err.message}`)
  process.exit(1)
})

async function shutdown(signal) {
  log(`${signal}: stopping HAProxy and exiting`)
  server.close()
  server.closeAllConnections()
  await haproxy.stop()
  process.exit(0)
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
// Whatever ends us, HAProxy must not outlive us.
process.on('exit', () => haproxy.child?.kill('SIGTERM'))

// Our own small error pages, put where the config's errorfile lines say.
async function installErrorfiles() {
  const from = fileURLToPath(new URL('./errorfiles/', import.meta.url))
  const to = paths(env).errorfiles
  await fs.mkdir(to, { recursive: true })
  for (const name of await fs.readdir(from)) await fs.copyFile(path.join(from, name), path.join(to, name))
}

async function main() {
  await fs.mkdir(CFG_DIR, { recursive: true })
  await fs.mkdir(paths(env).run, { recursive: true })
  await installErrorfiles()
  // The real image starts HAProxy on the haproxy.cfg baked into it (or a mounted one).
  const existing = await fs.readFile(CFG, 'utf8').catch(() => null)
  if (existing === null) await fs.writeFile(CFG, bakedConfig(env))
  const check = await checkConfig()
  if (!check.ok) throw new Error(`HAProxy refused ${CFG}: ${summary(check.message)}`)
  await fs.rename(CHECK_CFG, RUN_CFG)
  await haproxy.start()
  log(`HAProxy started with ${CFG}`)
  log(`a failed HAProxy check is retried ${ATTEMPTS} times, ${INTERVAL_MS} ms apart; a reload answers after at least ${RELOAD_MIN_MS} ms`)
  server.listen(PORT, () => log(`docker-flow-proxy stand-in listening on :${PORT}`))
}

main().catch((err) => {
  log(`fatal: ${err.message}`)
  process.exit(1)
})
