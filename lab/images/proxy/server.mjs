// Lab stand-in for docker-flow-proxy: speaks its HTTP API (the paths, status codes,
// messages, JSON field names and Content-Types measured on the real one) and drives a
// real HAProxy. Routes live in memory only, as in the real proxy.
//
// Environment: PORT (API, 8080), CFG_DIR (/cfg), HAPROXY_BIN (haproxy), SERVICE_NAME
// (proxy; distribute=true asks tasks.<SERVICE_NAME>), DEFAULT_PORTS (80,443; ":ssl" is
// ignored), BIND_PORTS, RESOLVERS (nameserver dns 127.0.0.11:53; comma = new line),
// SEPARATOR (,), HTTPS_ONLY, SERVICE_DOMAIN_ALGO, CONNECTION_MODE, TIMEOUT_* as the real one.
import http from 'node:http'
import fs from 'node:fs/promises'
import path from 'node:path'
import dns from 'node:dns'
import { bool, emptyService, getter, renderConfig, serviceFromParams, validate } from './config.mjs'
import { HAProxy } from './haproxy.mjs'
import { distribute } from './distribute.mjs'

const env = process.env
const PORT = Number(env.PORT || 8080)
const CFG_DIR = env.CFG_DIR || '/cfg'
const CFG = path.join(CFG_DIR, 'haproxy.cfg')
const SERVICE_NAME = env.SERVICE_NAME || 'proxy'

const log = (msg) => console.log(`${new Date().toISOString()} ${msg}`)

let services = new Map() // serviceName -> record
let queue = Promise.resolve()
// One config change at a time: each reads the routes the previous one left.
const serialized = (fn) => {
  const run = queue.then(fn)
  queue = run.catch(() => {})
  return run
}

const haproxy = new HAProxy({
  bin: env.HAPROXY_BIN || 'haproxy',
  cfg: CFG,
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

// Render, validate, swap the file in, reload. The new routes are kept only if HAProxy
// took them; otherwise the previous file stays and HAProxy keeps running on it.
async function apply(next, why) {
  const text = renderConfig([...next.values()])
  const tmp = `${CFG}.new`
  await fs.writeFile(tmp, text)
  const check = await haproxy.validate(tmp)
  await fs.rm(tmp, { force: true })
  if (!check.ok) {
    log(`HAProxy refused the new config (${why}): ${check.message}`)
    return check
  }
  const previous = await fs.readFile(CFG, 'utf8').catch(() => null)
  await writeAtomic(CFG, text)
  const reloaded = await haproxy.reload()
  if (!reloaded.ok) {
    if (previous !== null) await writeAtomic(CFG, previous)
    log(`HAProxy reload failed (${why}), previous config restored: ${reloaded.message}`)
    return reloaded
  }
  services = next
  log(`HAProxy reloaded (${why}); ${next.size} service(s)`)
  return reloaded
}

function removeService(name) {
  return serialized(() => {
    if (!services.has(name)) {
      log(`${name} was not configured, no reload required`)
      return { ok: true, message: '' }
    }
    const next = new Map(services)
    next.delete(name)
    return apply(next, `remove ${name}`)
  })
}

async function countTasks(name) {
  try {
    return (await dns.promises.lookup(`tasks.${name}`, { all: true })).length
  } catch {
    return 0
  }
}

// The real proxy sets Content-Type after WriteHeader on these, so Go sniffs the JSON
// body as text; ping/test/config set theirs properly.
const SNIFFED = 'text/plain; charset=utf-8'
const reply = (status, type, body, note = '') => ({ status, type, body, note })
const dfp = (status, obj) => reply(status, SNIFFED, JSON.stringify(obj), obj.Message)
const json = (status, obj) => reply(status, 'application/json', JSON.stringify(obj))
// Status, Message, ServiceName first, then the service's fields flattened (Go embedding).
const response = (status, message, serviceName, service = emptyService()) => {
  const { ServiceName: _unused, ...fields } = service
  return { Status: status, Message: message, ServiceName: serviceName, ...fields }
}

async function reconfigure(ctx) {
  const s = serviceFromParams(ctx.pairs)
  const answer = (status, message) => dfp(status, response(status < 300 ? 'OK' : 'NOK', message, s.ServiceName, s))
  const invalid = validate(s)
  if (invalid) return answer(invalid.status, invalid.message)
  if (s.Distribute) {
    const r = await distribute(ctx, { port: PORT, serviceName: SERVICE_NAME })
    return answer(r.ok ? 200 : 500, r.message)
  }
  if (!s.IsGlobal && s.Replicas === 0) {
    const r = await removeService(s.ServiceName) // scaled to 0: the route goes away
    return answer(r.ok ? 200 : 500, r.message)
  }
  if (s.DiscoveryType === 'DNS' && s.Replicas <= 0) s.Replicas = await countTasks(s.ServiceName)
  const stored = { ...s, AclName: s.AclName || s.ServiceName }
  const r = await serialized(() => apply(new Map(services).set(s.ServiceName, stored), `reconfigure ${s.ServiceName}`))
  return answer(r.ok ? 200 : 500, r.message)
}

async function remove(ctx) {
  const name = ctx.get('serviceName')
  const dist = bool(ctx.get('distribute'))
  const base = { ...emptyService(), Distribute: dist }
  if (!name) return dfp(400, response('NOK', 'The serviceName query is mandatory', name, base))
  const r = dist ? await distribute(ctx, { port: PORT, serviceName: SERVICE_NAME }) : await removeService(name)
  if (!r.ok) return dfp(500, response('NOK', r.message, name, base))
  return dfp(200, response('OK', r.message, name, base))
}

async function reload() {
  const r = await serialized(() => apply(services, 'reload'))
  return dfp(r.ok ? 200 : 500, response(r.ok ? 'OK' : 'NOK', r.message, ''))
}

async function config(ctx) {
  if (ctx.get('type').toLowerCase() === 'json') return json(200, Object.fromEntries(services))
  try {
    return reply(200, 'text/html', await fs.readFile(CFG, 'utf8'))
  } catch (err) {
    return reply(500, 'text/html', err.message)
  }
}

const ROUTES = {
  '/v1/docker-flow-proxy/reconfigure': reconfigure,
  '/v1/docker-flow-proxy/remove': remove,
  '/v1/docker-flow-proxy/reload': reload,
  '/v1/docker-flow-proxy/config': config,
  '/v1/docker-flow-proxy/ping': async () => json(200, response('OK', '', '')),
  '/v1/test': async () => json(200, response('OK', 'Test v1', '')),
  '/v2/test': async () => json(200, response('OK', 'Test v2', '')),
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > 1 << 20) reject(new Error('request body too large'))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

async function handle(req, res) {
  let out
  try {
    const url = new URL(req.url || '/', 'http://localhost')
    const body = await readBody(req)
    const contentType = req.headers['content-type'] || ''
    // Like Go's ParseForm: a url-encoded body of POST/PUT/PATCH counts, before the query.
    const pairs = []
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && contentType.startsWith('application/x-www-form-urlencoded')) {
      pairs.push(...new URLSearchParams(body))
    }
    pairs.push(...url.searchParams)
    const route = ROUTES[url.pathname]
    const ctx = { method: req.method, path: url.pathname, rawQuery: url.search.slice(1), body, contentType, pairs, get: getter(pairs) }
    out = route ? await route(ctx) : reply(404, 'text/plain; charset=utf-8', '404 page not found\n')
  } catch (err) {
    out = reply(500, 'text/plain; charset=utf-8', `${err.message}\n`, err.message)
  }
  res.writeHead(out.status, { 'Content-Type': out.type, 'Content-Length': Buffer.byteLength(out.body) })
  res.end(out.body)
  // users=name:password is accepted (and ignored), but must not land in the logs.
  const shown = (req.url || '').replace(/(users=)[^&]*/gi, '$1***')
  log(`${req.method} ${shown} -> ${out.status}${out.note ? ` ${out.note}` : ''}`)
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

async function main() {
  await fs.mkdir(CFG_DIR, { recursive: true })
  // Start on the empty (dummy-route) config, as the real proxy does.
  const tmp = `${CFG}.new`
  await fs.writeFile(tmp, renderConfig([]))
  const check = await haproxy.validate(tmp)
  if (!check.ok) throw new Error(`HAProxy refused the initial config: ${check.message}`)
  await fs.rename(tmp, CFG)
  await haproxy.start()
  log(`HAProxy started with ${CFG}`)
  server.listen(PORT, () => log(`docker-flow-proxy stand-in listening on :${PORT}`))
}

main().catch((err) => {
  log(`fatal: ${err.message}`)
  process.exit(1)
})
