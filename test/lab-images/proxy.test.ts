// The lab's docker-flow-proxy stand-in (lab/images/proxy/), run as a host process that
// drives the real HAProxy 2.6. Requests really go through HAProxy to a real go-demo
// stand-in: serviceName=localhost makes HAProxy find it through libc at load time.
// What is asserted is the real proxy's measured behaviour (anchors §1, §7, §7.1) and,
// where the measurement is silent, its source (docker-flow/docker-flow-proxy f3219564).
import { expect } from 'chai'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  freePort,
  killProcessesMentioning,
  processesMentioning,
  repoFile,
  request,
  sleep,
  startNode,
  stop,
  type Proc,
  type Reply,
} from './helpers.js'

const PROXY = repoFile('lab/images/proxy/server.mjs')
const DEMO = repoFile('lab/images/go-demo/server.mjs')
const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy'
const PREFIX = '/v1/docker-flow-proxy'
const TEXT = 'text/plain; charset=utf-8'
// Nothing answers there; the hold lines keep HAProxy from putting a server that libc
// resolved into maintenance when its run-time DNS look-ups time out.
const RESOLVERS = 'nameserver dns 127.0.0.1:53,hold timeout 1h,hold refused 1h,hold other 1h,hold nx 1h'
// The real proxy retries a refused config 20 times 1 s apart and answers ~0.5 s after a
// reload; these keep the file fast. One describe below runs with the defaults.
const FAST = { RECONFIGURE_ATTEMPTS: '3', RECONFIGURE_INTERVAL_MS: '100', RELOAD_MIN_MS: '0' }

// Every exported field of server.Response with proxy.Service flattened, in Go's order.
const ANSWER_KEYS = [
  'Status', 'Message', 'ServiceName', 'AclName', 'AddReqHeader', 'AddResHeader', 'BackendExtra', 'CheckResolvers',
  'CompressionAlgo', 'CompressionType', 'ConnectionMode', 'Debug', 'DebugFormat', 'DelReqHeader', 'DelResHeader',
  'DiscoveryType', 'Distribute', 'IsDefaultBackend', 'ProxyInstanceName', 'RedirectWhenHttpProto',
  'RedirectUnlessHttpsProto', 'Replicas', 'ReqPathReplace', 'ReqPathSearch', 'ServiceCert', 'ServiceDomainAlgo',
  'SessionType', 'SetReqHeader', 'SetResHeader', 'TemplateBePath', 'TemplateFePath', 'UseGlobalUsers', 'Users',
  'ServicePort', 'AclCondition', 'IsGlobal', 'LookupRetry', 'LookupRetryInterval', 'ServiceDest', 'Tasks',
]
// proxy.Service as config?type=json shows it: the same, with ServiceName in its own place.
const SERVICE_KEYS = ANSWER_KEYS.slice(3).flatMap((k) => (k === 'SessionType' ? ['ServiceName', k] : [k]))
// Every exported field of proxy.ServiceDest, in Go's order.
const DEST_KEYS = [
  'AllowedMethods', 'BalanceGroup', 'CheckTCP', 'Clitcpka', 'DeniedMethods', 'DenyHttp', 'HttpsOnly', 'HttpsPort',
  'HttpsRedirectCode', 'IgnoreAuthorization', 'OutboundHostname', 'PathType', 'Port', 'RedirectFromDomain', 'ReqMode',
  'ReqModeFormatted', 'ReqPathSearchReplace', 'ServiceDomain', 'ServiceGroup', 'ServiceHeader', 'ServicePath',
  'ServicePathExclude', 'SrcPort', 'SrcHttpsPort', 'SrcPortAcl', 'SrcPortAclName', 'SrcHttpsPortAcl',
  'SrcHttpsPortAclName', 'SslVerifyNone', 'TimeoutServer', 'TimeoutClient', 'TimeoutTunnel', 'VerifyClientSsl',
  'UserAgent', 'UserDef', 'Index', 'ReqPathSearchReplaceFormatted', 'IncludeSrcPortACL', 'IncludeSrcHttpsPortACL',
]
// The real ping answer, byte for byte (770 bytes, anchors §7).
const PING =
  '{"Status":"OK","Message":"","ServiceName":"","AclName":"","AddReqHeader":null,"AddResHeader":null,"BackendExtra":"",' +
  '"CheckResolvers":false,"CompressionAlgo":"","CompressionType":"","ConnectionMode":"","Debug":false,"DebugFormat":"",' +
  '"DelReqHeader":null,"DelResHeader":null,"DiscoveryType":"","Distribute":false,"IsDefaultBackend":false,' +
  '"ProxyInstanceName":"","RedirectWhenHttpProto":false,"RedirectUnlessHttpsProto":false,"Replicas":0,"ReqPathReplace":"",' +
  '"ReqPathSearch":"","ServiceCert":"","ServiceDomainAlgo":"","SessionType":"","SetReqHeader":null,"SetResHeader":null,' +
  '"TemplateBePath":"","TemplateFePath":"","UseGlobalUsers":false,"Users":null,"ServicePort":"","AclCondition":"",' +
  '"IsGlobal":false,"LookupRetry":0,"LookupRetryInterval":0,"ServiceDest":null,"Tasks":null}'
// A destination of a route the proxy configured (its defaults filled in), minus Port and paths.
const CONFIGURED_DEST = {
  AllowedMethods: [], BalanceGroup: '', CheckTCP: false, Clitcpka: false, DeniedMethods: [], DenyHttp: false,
  HttpsOnly: false, HttpsPort: 0, HttpsRedirectCode: '', IgnoreAuthorization: false, OutboundHostname: '',
  PathType: 'path_beg', RedirectFromDomain: [], ReqMode: 'http', ReqModeFormatted: 'http', ReqPathSearchReplace: '',
  ServiceDomain: [], ServiceGroup: '', ServiceHeader: {}, ServicePathExclude: [], SrcPort: 0, SrcHttpsPort: 0,
  SrcPortAcl: '', SrcPortAclName: '', SrcHttpsPortAcl: '', SrcHttpsPortAclName: '', SslVerifyNone: false,
  TimeoutServer: '', TimeoutClient: '', TimeoutTunnel: '', VerifyClientSsl: false, UserAgent: { Value: null, AclName: '' },
  UserDef: '', Index: 0, ReqPathSearchReplaceFormatted: [], IncludeSrcPortACL: false, IncludeSrcHttpsPortACL: false,
}

function requireHaproxy(): void {
  try {
    execFileSync(HAPROXY, ['-v'], { stdio: 'pipe' })
  } catch (err) {
    throw new Error(
      `HAProxy must be installed at ${HAPROXY} (Debian 12: apt-get install -y haproxy); ` +
        `these tests drive the real thing and must not be skipped. (${(err as Error).message})`,
      {cause: err},
    )
  }
}

interface Lab {
  dir: string
  api: number
  fe1: number
  fe2: number
  proxy: Proc
}

// A stand-in in its own directory: /cfg, /errorfiles and /var/run of the image are moved there.
async function startLab(extraEnv: Record<string, string> = {}): Promise<Lab> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swarmnet-lab-proxy-'))
  const [api, fe1, fe2] = [await freePort(), await freePort(), await freePort()]
  const env = {
    CFG_DIR: dir,
    ERRORFILES_DIR: path.join(dir, 'errorfiles'),
    HAPROXY_RUN_DIR: path.join(dir, 'run'),
    PORT: String(api),
    DEFAULT_PORTS: `${fe1},${fe2}:ssl`,
    RESOLVERS,
    HAPROXY_BIN: HAPROXY,
    SERVICE_NAME: 'swarmnet-lab-test.invalid',
    // Should the machine's DNS be unreachable, fail look-ups fast (glibc reads this).
    RES_OPTIONS: 'timeout:1 attempts:1',
    ...extraEnv,
  }
  try {
    const proxy = await startNode(PROXY, env, 'listening on')
    return { dir, api, fe1, fe2, proxy }
  } catch (err) {
    killProcessesMentioning(dir)
    fs.rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

async function stopLab(lab: Lab | undefined): Promise<void> {
  if (!lab) return
  await stop(lab.proxy)
  killProcessesMentioning(lab.dir) // only matters if the stand-in failed to stop HAProxy
  fs.rmSync(lab.dir, { recursive: true, force: true })
}

interface Dest {
  Index: number
  Port: string
  ServicePath: string[] | null
  ServiceDomain: string[] | null
  SrcPort: number
  ReqMode: string
  PathType: string
  HttpsOnly: boolean
  [field: string]: unknown
}
interface User {
  Username: string
  Password: string
  PassEncrypted: boolean
}
interface Answer {
  Status: string
  Message: string
  ServiceName: string
  AclName: string
  Distribute: boolean
  IsGlobal: boolean
  Replicas: number
  Users: User[] | null
  ServiceDest: Dest[] | null
  [field: string]: unknown
}

function parse<T = Answer>(r: Reply): T {
  try {
    return JSON.parse(r.body) as T
  } catch {
    throw new Error(`expected a JSON body, got ${r.status}: ${r.body}`)
  }
}

// Plain import() of the image's modules: they are JavaScript without type declarations.
async function load<T>(rel: string): Promise<T> {
  return (await import(pathToFileURL(repoFile(rel)).href)) as T
}

type Opts = { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

// Requests and file access against one running stand-in.
function client(get: () => Lab) {
  const api = (route: string, query = '', opts: Opts = {}) =>
    request(`http://127.0.0.1:${get().api}${route.startsWith('/') ? route : `${PREFIX}/${route}`}${query ? `?${query}` : ''}`, opts)
  const timed = async (route: string, query = '', opts: Opts = {}) => {
    const started = Date.now()
    const r = await api(route, query, opts)
    return { r, ms: Date.now() - started }
  }
  return {
    api,
    timed,
    front: (urlPath: string, port = get().fe1, headers: Record<string, string> = {}) => request(`http://127.0.0.1:${port}${urlPath}`, { headers }),
    cfg: () => fs.readFileSync(path.join(get().dir, 'haproxy.cfg'), 'utf8'),
    runCfg: () => fs.readFileSync(path.join(get().dir, '.haproxy-run.cfg'), 'utf8'),
    services: async () => parse<Record<string, Answer>>(await api('config', 'type=json')),
    // Removes every route, naming the aclName it was added with (the files go by it).
    clear: async () => {
      const map = parse<Record<string, Answer>>(await api('config', 'type=json'))
      for (const [name, s] of Object.entries(map)) {
        await api('remove', `serviceName=${encodeURIComponent(name)}&aclName=${encodeURIComponent(s.AclName)}`)
      }
    },
    output: () => get().proxy.output(),
  }
}

describe('lab image proxy (docker-flow-proxy stand-in driving HAProxy)', function () {
  this.timeout(60000)
  let lab: Lab | undefined
  let demo: Proc | undefined
  let demoPort = 0
  let closedPort = 0 // nothing listens there

  const L = (): Lab => {
    if (!lab) throw new Error('the stand-in did not start')
    return lab
  }
  const { api, timed, front, cfg, runCfg, services, clear, output } = client(L)

  before(async function () {
    requireHaproxy()
    demoPort = await freePort()
    closedPort = await freePort()
    demo = await startNode(DEMO, { PORT: String(demoPort) }, 'go-demo stand-in on')
    lab = await startLab(FAST)
  })

  after(async function () {
    await stopLab(lab)
    await stop(demo)
  })

  // Every test starts from no routes and no leftover backends (removing is one of the
  // things under test, so a failure here shows up as a failing hook, not as silent state
  // leaking between tests).
  afterEach(async function () {
    if (!lab) return
    if (this.currentTest?.state === 'failed') {
      console.log(`--- stand-in output (last 40 lines) ---\n${output().trim().split('\n').slice(-40).join('\n')}`)
    }
    if (lab.proxy.hasExited()) return
    await clear()
    expect(await services()).to.deep.equal({})
    if (cfg().includes('frontend services')) expect(cfg().match(/^backend .*/gm)).to.deep.equal(['backend dummy-be'])
  })

  describe('start-up', function () {
    it('serves the haproxy.cfg baked into the real image until the first change (anchors §7.1)', async function () {
      const { dir, fe1, fe2 } = L()
      const baked = [
        'global',
        `    pidfile ${dir}/run/haproxy.pid`,
        `    stats socket ${dir}/run/haproxy.sock mode 660 level admin expose-fd listeners`,
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
        `    bind *:${fe1}`,
        `    bind *:${fe2}`, // the ":ssl" suffix is dropped: no certificates in the lab
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
      expect(cfg()).to.equal(baked)
      const served = await api('config')
      expect(served.status).to.equal(200)
      expect(served.headers['content-type']).to.equal('text/html')
      expect(served.body).to.equal(baked)
      expect(processesMentioning(L().dir).length, 'HAProxy master and worker').to.be.at.least(2)
      expect((await front('/demo/hello')).status).to.equal(503)
      // The stats page of the baked file answers on the default ports.
      expect((await front('/admin?stats')).status).to.equal(200)
    })

    it('puts its own error pages where the errorfile lines say', function () {
      const dir = path.join(L().dir, 'errorfiles')
      expect(fs.readdirSync(dir).sort()).to.deep.equal(['400', '403', '405', '408', '429', '500', '502', '503', '504'].map((c) => `${c}.http`))
      expect(fs.readFileSync(path.join(dir, '503.http'), 'utf8')).to.match(/^HTTP\/1\.0 503 Service Unavailable\n/)
    })
  })

  describe('the answers of the real proxy (anchors §1.3, §7)', function () {
    const ok = 'serviceName=localhost&servicePath=/demo&port=8080'
    const rows: Array<{ what: string; route: string; query?: string; method?: string; body?: string; status: number; type: string; message?: string }> = [
      { what: 'ping', route: 'ping', status: 200, type: 'application/json', message: '' },
      { what: 'reconfigure (GET)', route: 'reconfigure', query: ok, status: 200, type: TEXT, message: '' },
      { what: 'reconfigure (PUT: any method works)', route: 'reconfigure', query: ok, method: 'PUT', status: 200, type: TEXT, message: '' },
      {
        what: 'reconfigure (POST with the parameters in a url-encoded body: servicePath/port are read from the URL only)',
        route: 'reconfigure',
        method: 'POST',
        body: ok,
        status: 409,
        type: TEXT,
        message: 'When using reqMode http, servicePath or serviceDomain are mandatory',
      },
      {
        what: 'reconfigure with mixed-case parameter names',
        route: 'reconfigure',
        query: 'ServiceName=localhost&ServicePath=/demo&Port=8080',
        status: 409,
        type: TEXT,
        message: 'When using reqMode http, servicePath or serviceDomain are mandatory',
      },
      { what: 'config', route: 'config', status: 200, type: 'text/html' },
      { what: 'config?type=json', route: 'config', query: 'type=json', status: 200, type: 'application/json' },
      { what: 'reload', route: 'reload', status: 200, type: TEXT, message: '' },
      { what: 'remove', route: 'remove', query: 'serviceName=localhost', status: 200, type: TEXT, message: '' },
      { what: 'remove of an unknown service', route: 'remove', query: 'serviceName=does-not-exist', status: 200, type: TEXT, message: '' },
      {
        what: 'reconfigure without serviceName',
        route: 'reconfigure',
        query: 'servicePath=/demo&port=8080',
        status: 400,
        type: TEXT,
        message: 'serviceName parameter is mandatory.',
      },
      {
        what: 'reconfigure without path or domain',
        route: 'reconfigure',
        query: 'serviceName=go-demo&port=8080',
        status: 409,
        type: TEXT,
        message: 'When using reqMode http, servicePath or serviceDomain are mandatory',
      },
      {
        what: 'reconfigure without port',
        route: 'reconfigure',
        query: 'serviceName=go-demo&servicePath=/demo',
        status: 400,
        type: TEXT,
        message: 'When MODE is set to "service" or "swarm", the port query is mandatory',
      },
      {
        what: 'reconfigure tcp without srcPort',
        route: 'reconfigure',
        query: 'serviceName=go-demo&reqMode=tcp&port=8080',
        status: 400,
        type: TEXT,
        message: 'When NOT using reqMode http (e.g. tcp), srcPort and port parameters are mandatory.',
      },
      { what: 'remove without serviceName', route: 'remove', status: 400, type: TEXT, message: 'The serviceName query is mandatory' },
    ]
    for (const row of rows) {
      it(`${row.what}: ${row.status} ${row.type}`, async function () {
        const before = cfg()
        const r = await api(row.route, row.query, { method: row.method, body: row.body, headers: row.body ? FORM : {} })
        expect(r.status, r.body).to.equal(row.status)
        expect(r.headers['content-type']).to.equal(row.type)
        if (row.route === 'config') {
          // the raw file, or the map of services (no Status there, as in the real proxy)
          if (row.type === 'text/html') expect(r.body).to.equal(before)
          else expect(parse<Record<string, unknown>>(r)).to.deep.equal({})
          return
        }
        const body = parse(r)
        expect(Object.keys(body), 'every field of server.Response, in order').to.deep.equal(ANSWER_KEYS)
        expect(body.Status).to.equal(row.status < 300 ? 'OK' : 'NOK')
        if (row.message !== undefined) expect(body.Message).to.equal(row.message)
        if (row.status >= 400) expect(cfg(), 'a refused request must not touch haproxy.cfg').to.equal(before)
      })
    }

    it('ping: the real 770-byte answer, every field of an empty service with Go\'s zero values', async function () {
      const r = await api('ping')
      expect(r.body).to.equal(PING)
      expect(Buffer.byteLength(r.body)).to.equal(770)
    })

    it('an unknown path: 404 with the text "404 page not found" and a newline, as Go\'s http.NotFound writes it', async function () {
      for (const p of [`${PREFIX}/no-such-endpoint`, '/elsewhere', '/v1/docker-flow-proxy']) {
        const r = await api(p)
        expect(r.status, p).to.equal(404)
        expect(r.headers['content-type']).to.equal(TEXT)
        expect(r.body).to.equal('404 page not found\n')
      }
    })

    it('a known path with a trailing slash: 301 to the path without it, like gorilla/mux', async function () {
      const r = await api('ping/', 'x=1')
      expect(r.status).to.equal(301)
      expect(r.headers.location).to.equal(`${PREFIX}/ping?x=1`)
      const unclean = await api(`/v1//docker-flow-proxy/./ping`)
      expect(unclean.status).to.equal(301)
      expect(unclean.headers.location).to.equal(`${PREFIX}/ping`)
    })

    it('certs: 200 JSON with no certificates; cert: PUT only (GET 405)', async function () {
      const certs = await api('certs')
      expect(certs.status).to.equal(200)
      expect(certs.headers['content-type']).to.equal('application/json')
      expect(certs.body).to.equal('{"Status":"OK","Message":"","Certs":[]}')
      const get = await api('cert', 'certName=x.pem')
      expect(get.status).to.equal(405)
      expect(get.body).to.equal('')
      const put = await api('cert', '', { method: 'PUT', body: 'pem' })
      expect(put.status).to.equal(400)
      expect(parse(put)).to.deep.equal({ Status: 'NOK', Message: 'Query parameter certName is mandatory', Certs: null })
    })

    it('metrics: 200 with HAProxy\'s stats CSV', async function () {
      const r = await api('metrics')
      expect(r.status).to.equal(200)
      expect(r.headers['content-type']).to.equal(TEXT)
      expect(r.body).to.match(/^# pxname,svname,/)
      expect(r.body).to.match(/^services,FRONTEND,/m)
    })

    it('/v1/test and /v2/test answer JSON', async function () {
      for (const v of ['v1', 'v2']) {
        const r = await api(`/${v}/test`)
        expect(r.status).to.equal(200)
        expect(r.headers['content-type']).to.equal('application/json')
        expect(parse(r)).to.include({ Status: 'OK', Message: `Test ${v}` })
      }
    })
  })

  describe('parameters: case-insensitive form fields and exact-name query fields (anchors §1.2, §7.1)', function () {
    it('service fields match case-insensitively, destination fields only by their exact name', async function () {
      const r = await api('reconfigure', `SERVICENAME=localhost&servicePath=/demo&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      expect(parse(r).ServiceName).to.equal('localhost')
      expect((await front('/demo/hello')).status).to.equal(200)

      // Replicas is filled from "Replicas" too, but only an exact "replicas" makes the
      // service a replicated one.
      const mixed = parse(await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&Replicas=2`))
      expect(mixed).to.include({ Replicas: 2, IsGlobal: true })

      const dest = await api('reconfigure', `serviceName=localhost&servicePath=/demo&Port=${demoPort}`)
      expect(dest.status).to.equal(400)
      expect(parse(dest).Message).to.equal('When MODE is set to "service" or "swarm", the port query is mandatory')
    })

    it('a url-encoded body fills the service fields, not the destination ones', async function () {
      const r = await api('reconfigure', `servicePath=/demo&port=${demoPort}`, { method: 'POST', body: 'serviceName=localhost', headers: FORM })
      expect(r.status, r.body).to.equal(200)
      expect(parse(r).ServiceName).to.equal('localhost')
      const removed = await api('remove', '', { method: 'POST', body: 'ServiceName=localhost', headers: FORM })
      expect(parse(removed)).to.include({ Status: 'OK', ServiceName: 'localhost' })
      expect(await services()).to.deep.equal({})
    })

    // The two cases measured on the real proxy (anchors §7.1): both 409, nothing configured.
    it('mixed-case servicePath/port, or servicePath/port in a POST form body: 409, nothing configured', async function () {
      const conflict = 'When using reqMode http, servicePath or serviceDomain are mandatory'
      const mixed = await api('reconfigure', `ServiceName=localhost&ServicePath=/demo&Port=${demoPort}`)
      expect(mixed.status).to.equal(409)
      expect(parse(mixed)).to.include({ Status: 'NOK', Message: conflict, ServiceName: 'localhost' })
      const form = await api('reconfigure', '', { method: 'POST', body: `serviceName=localhost&servicePath=/demo&port=${demoPort}`, headers: FORM })
      expect(form.status).to.equal(409)
      expect(parse(form)).to.include({ Status: 'NOK', Message: conflict, ServiceName: 'localhost' })
      expect(await services()).to.deep.equal({})
      expect(cfg()).not.to.include('localhost')
    })

    it('"Distribute=true" counts (a form field), so does "on"', async function () {
      for (const q of ['Distribute=true', 'distribute=on']) {
        const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&${q}`)
        expect(r.status, q).to.equal(500)
        expect(parse(r).Message).to.match(/^Could not perform DNS lookup for tasks\.swarmnet-lab-test\.invalid/)
      }
    })
  })

  describe('routing through HAProxy', function () {
    it('reconfigure routes /demo to go-demo on every default port; remove takes it away', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      for (const port of [L().fe1, L().fe2]) {
        const hello = await front('/demo/hello', port)
        expect(hello.status).to.equal(200)
        expect(hello.body).to.equal('hello, world!')
        expect(hello.headers['x-served-by']).to.equal(os.hostname())
      }
      const unrouted = await front('/elsewhere')
      expect(unrouted.status).to.equal(503)
      expect(unrouted.body).to.include('503 Service Unavailable') // our errorfile

      const removed = await api('remove', 'serviceName=localhost')
      expect(removed.status).to.equal(200)
      expect(parse(removed)).to.include({ Status: 'OK', ServiceName: 'localhost' })
      expect((await front('/demo/hello')).status).to.equal(503)
      expect(await services()).to.deep.equal({})
    })

    it('answers with every field of the real proxy, the destination\'s defaults filled in', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo,/other&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      const body = parse(r)
      expect(Object.keys(body)).to.deep.equal(ANSWER_KEYS)
      expect(body).to.include({ Status: 'OK', Message: '', ServiceName: 'localhost', AclName: '', Distribute: false, IsGlobal: true, Replicas: 0 })
      expect(body.Users).to.equal(null)
      expect(body.Tasks).to.equal(null)
      expect(body.ServiceDest).to.have.length(1)
      const dest = body.ServiceDest?.[0] ?? {}
      expect(Object.keys(dest)).to.deep.equal(DEST_KEYS)
      // The real proxy fills in PathType and ReqModeFormatted on destinations it shares
      // with the answer (anchors §7: "PathType":"path_beg" in the 200 answer).
      expect(dest).to.deep.equal({ ...CONFIGURED_DEST, Port: String(demoPort), ServicePath: ['/demo', '/other'] })

      // An answer that never reached the templates keeps what was sent: PathType "".
      const refused = parse(await api('reconfigure', 'serviceName=localhost&servicePath=/demo'))
      expect(Object.keys(refused.ServiceDest?.[0] ?? {})).to.deep.equal(DEST_KEYS)
      expect(refused.ServiceDest?.[0]).to.include({ PathType: '', ReqModeFormatted: '', ReqMode: 'http', Port: '' })

      // The stored service (config?type=json) has ServiceName in its own place and its AclName set.
      const stored = (await services()).localhost
      expect(Object.keys(stored)).to.deep.equal(SERVICE_KEYS)
      expect(stored).to.include({ ServiceName: 'localhost', AclName: 'localhost', IsGlobal: true })
    })

    it('users=admin:secret: echoed in the answer and config?type=json, basic auth in HAProxy, never in our log', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&users=admin:secret`)
      expect(r.status, r.body).to.equal(200)
      const users = [{ Username: 'admin', Password: 'secret', PassEncrypted: false }]
      expect(parse(r).Users).to.deep.equal(users)
      expect((await services()).localhost.Users).to.deep.equal(users)
      expect(cfg()).to.include(
        [
          'userlist localhostUsers',
          '    user admin insecure-password secret',
          '',
          '',
          `backend localhost-be${demoPort}_0`,
          '    mode http',
          '    http-request add-header X-Forwarded-Proto https if { ssl_fc }',
          `    server localhost localhost:${demoPort}`,
          '    acl localhostUsersAcl http_auth(localhostUsers)',
          '    http-request auth realm localhostRealm if !localhostUsersAcl',
          '    http-request del-header Authorization',
        ].join('\n'),
      )
      const denied = await front('/demo/hello')
      expect(denied.status).to.equal(401)
      expect(denied.headers['www-authenticate']).to.equal('Basic realm="localhostRealm"')
      const wrong = await front('/demo/hello', L().fe1, { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` })
      expect(wrong.status).to.equal(401)
      const allowed = await front('/demo/hello', L().fe1, { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` })
      expect(allowed.status).to.equal(200)

      // usersPassEncrypted: the password is a crypt(3) hash.
      const hash = '$5$salt$Gcm6FsVtF/Qa77ZKD.iwsJlCVPY0XSMgLJL0Hnww/c1'
      const enc = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&users=${encodeURIComponent(`admin:${hash}`)}&usersPassEncrypted=true`)
      expect(parse(enc).Users).to.deep.equal([{ Username: 'admin', Password: hash, PassEncrypted: true }])
      expect(cfg()).to.include(`    user admin password ${hash}\n`)

      // Once the last request's log line is there, every line about these requests is.
      const logged = () => output().split('\n').some((l) => l.includes('usersPassEncrypted=true') && l.includes('-> 200'))
      await waitUntil(logged, 10_000)
      expect(logged(), 'the last reconfigure is logged').to.equal(true)
      expect(output()).not.to.include('secret')
      expect(output()).not.to.include(hash)
    })

    it('writes the file with the real template\'s layout: blank-line runs, no newline at the end', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      const text = cfg()
      expect(text.endsWith('\n')).to.equal(false)
      expect(
        text.endsWith(
          [
            '    timeout http-keep-alive 15s',
            '',
            '',
            'frontend services',
            `    bind *:${L().fe1}`,
            `    bind *:${L().fe2}`,
            '    mode http',
            '    option  forwardfor',
            '',
            `    acl url_localhost${demoPort}_0 path_beg /demo`,
            `    use_backend localhost-be${demoPort}_0 if url_localhost${demoPort}_0`,
            '', // the template's final newline, the joins around the (empty) go-demo-fe.cfg,
            '', // and the newline the backend template starts with
            '',
            '',
            '',
            `backend localhost-be${demoPort}_0`,
            '    mode http',
            '    http-request add-header X-Forwarded-Proto https if { ssl_fc }',
            `    server localhost localhost:${demoPort}`,
          ].join('\n'),
        ),
        text,
      ).to.equal(true)
      expect(text).not.to.include('dummy')
      expect((await api('config')).body).to.equal(text)
      // HAProxy runs a copy with the newline HAProxy 2.3+ insists on.
      expect(runCfg()).to.equal(`${text}\n`)
      expect(fs.readdirSync(L().dir).sort()).to.deep.equal(['.haproxy-run.cfg', 'errorfiles', 'haproxy.cfg', 'run'])
    })

    it('indexed destinations: .N wins, the un-indexed value fills in, the first gap ends the list', async function () {
      const { fe1, fe2 } = L()
      const q = [
        'serviceName=localhost',
        `port=${demoPort}`, // fallback for .1
        `servicePath.1=/demo&srcPort.1=${fe1}`,
        `servicePath.2=/demo&srcPort.2=${fe2}&port.2=${closedPort}`,
        'servicePath.4=/never&port.4=1', // .3 is missing, so .4 is not read
      ].join('&')
      const r = await api('reconfigure', q)
      expect(r.status, r.body).to.equal(200)
      const dests = parse(r).ServiceDest ?? []
      expect(dests.map((d) => [d.Index, d.Port, d.SrcPort, d.ServicePath])).to.deep.equal([
        [1, String(demoPort), fe1, ['/demo']],
        [2, String(closedPort), fe2, ['/demo']],
      ])
      const a = `localhost${demoPort}_1`
      const b = `localhost${closedPort}_2`
      expect(cfg()).to.include(
        [
          `    acl url_${a} path_beg /demo`,
          `    acl srcPort_localhost${fe1}_1 dst_port ${fe1}`,
          `    acl url_${b} path_beg /demo`,
          `    acl srcPort_localhost${fe2}_2 dst_port ${fe2}`,
          `    use_backend localhost-be${demoPort}_1 if url_${a} srcPort_localhost${fe1}_1`,
          `    use_backend localhost-be${closedPort}_2 if url_${b} srcPort_localhost${fe2}_2`,
        ].join('\n'),
      )
      expect(cfg()).to.include(`backend localhost-be${demoPort}_1\n`).and.to.include(`backend localhost-be${closedPort}_2\n`)
      expect(cfg()).not.to.include('/never')
      // The entry port picks the destination: fe1 reaches go-demo, fe2 the closed port.
      expect((await front('/demo/hello', fe1)).status).to.equal(200)
      expect((await front('/demo/hello', fe2)).status).to.equal(503)
    })

    it('serviceDomain adds a domain ACL, so the Host header decides', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&serviceDomain=demo.example.com&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      const id = `localhost${demoPort}_0`
      expect(cfg()).to.include(`    acl domain_${id} hdr_beg(host) -i demo.example.com\n`)
      expect(cfg()).to.include(`    use_backend localhost-be${demoPort}_0 if url_${id} domain_${id}\n`)
      expect((await front('/demo/hello', L().fe1, { host: 'demo.example.com' })).status).to.equal(200)
      expect((await front('/demo/hello', L().fe1, { host: 'other.example.com' })).status).to.equal(503)
    })

    it('replicas=N makes a replicated service; replicas=0 removes its route', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&replicas=2`)
      expect(r.status, r.body).to.equal(200)
      expect(parse(r)).to.include({ Replicas: 2, IsGlobal: false })
      expect((await front('/demo/hello')).status).to.equal(200)

      const zero = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&replicas=0`)
      expect(zero.status, zero.body).to.equal(200)
      expect(parse(zero)).to.include({ Status: 'OK', Replicas: 0, IsGlobal: false })
      expect(parse(zero).ServiceDest?.[0].PathType, 'never reached the templates').to.equal('')
      expect((await front('/demo/hello')).status).to.equal(503)
      expect(await services()).to.deep.equal({})
    })

    it('orders ACLs like the real proxy: /.well-known first, "/" last, otherwise by aclName', async function () {
      // Addresses as service names: nothing to look up, so no DNS delays.
      const add = async (q: string) => expect((await api('reconfigure', `${q}&port=1`)).status).to.equal(200)
      await add('serviceName=127.0.0.11&aclName=zeta&servicePath=/z')
      await add('serviceName=127.0.0.12&aclName=root&servicePath=/')
      await add('serviceName=127.0.0.13&aclName=alpha&servicePath=/a')
      await add('serviceName=127.0.0.14&aclName=acme&servicePath=/.well-known/acme-challenge')
      await add('serviceName=127.0.0.15&aclName=00first&servicePath=/m')
      const acls = cfg()
        .split('\n')
        .filter((l) => l.startsWith('    acl url_'))
        .map((l) => l.trim().split(' ')[1])
      expect(acls).to.deep.equal(['url_acme1_0', 'url_00first1_0', 'url_alpha1_0', 'url_zeta1_0', 'url_root1_0'])
      // Backends follow their files' names: <aclName>-be.cfg.
      expect(cfg().match(/^backend .*/gm)).to.deep.equal(['backend 00first-be1_0', 'backend acme-be1_0', 'backend alpha-be1_0', 'backend root-be1_0', 'backend zeta-be1_0'])
      expect(cfg()).to.include('backend 00first-be1_0\n    mode http\n    http-request add-header X-Forwarded-Proto https if { ssl_fc }\n    server 127.0.0.15 127.0.0.15:1\n')
      const map = await services()
      expect(Object.keys(map)).to.deep.equal(['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14', '127.0.0.15'])
      expect(map['127.0.0.15'].AclName).to.equal('00first')
    })

    it('reqMode=tcp gets its own frontend on srcPort and carries the bytes through', async function () {
      const tcpPort = await freePort()
      const r = await api('reconfigure', `serviceName=localhost&reqMode=tcp&srcPort=${tcpPort}&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      expect(cfg()).to.include(
        [`frontend tcpFE_${tcpPort}`, `    bind *:${tcpPort}`, '    mode tcp', `    default_backend localhost-be${demoPort}_0`].join('\n'),
      )
      expect(cfg().endsWith(`backend localhost-be${demoPort}_0\n    mode tcp\n    server localhost localhost:${demoPort}`)).to.equal(true)
      // No http route left: the default ports are not bound.
      expect(cfg()).to.include('frontend services\n    mode http\n')
      const hello = await front('/demo/hello', tcpPort)
      expect(hello.status).to.equal(200)
      expect(hello.body).to.equal('hello, world!')
    })

    it('config?type=json maps serviceName to the stored service', async function () {
      expect(await services()).to.deep.equal({})
      await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&replicas=3`)
      await api('reconfigure', 'serviceName=127.0.0.1&servicePath=/demo&port=8080')
      const map = await services()
      expect(Object.keys(map)).to.deep.equal(['127.0.0.1', 'localhost'])
      expect(map.localhost).to.include({ ServiceName: 'localhost', AclName: 'localhost', Replicas: 3, IsGlobal: false })
      expect(map['127.0.0.1'].ServiceDest?.[0]).to.deep.equal({ ...CONFIGURED_DEST, Port: '8080', ServicePath: ['/demo'] })
    })

    it('reload re-applies the routes held in memory', async function () {
      await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)
      const r = await api('reload')
      expect(r.status).to.equal(200)
      expect((await front('/demo/hello')).status).to.equal(200)
    })

    it('concurrent reconfigures to one replica keep every route', async function () {
      const names = ['127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24', '127.0.0.25']
      const answers = await Promise.all(names.map((n, i) => api('reconfigure', `serviceName=${n}&servicePath=/c${i}&port=1`)))
      expect(answers.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200])
      expect(Object.keys(await services())).to.deep.equal(names)
      for (const [i, n] of names.entries()) expect(cfg()).to.include(`    acl url_${n}1_0 path_beg /c${i}\n`)
      expect(runCfg()).to.equal(`${cfg()}\n`)
    })

    it('distribute=true with no usable tasks.<SERVICE_NAME>: 500 with the real proxy\'s text, nothing applied', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&distribute=true`)
      expect(r.status).to.equal(500)
      const body = parse(r)
      expect(body).to.include({ Status: 'NOK', Distribute: true })
      expect(body.Message).to.match(/^Could not /)
      expect(body.ServiceDest?.[0].PathType, 'never reached the templates').to.equal('')
      expect(await services()).to.deep.equal({})
      const removed = await api('remove', 'serviceName=localhost&distribute=true')
      expect(removed.status).to.equal(500)
      expect(parse(removed)).to.include({ Status: 'NOK', Distribute: true })
      expect(parse(removed).Message).to.match(/^Could not /)
    })
  })

  describe('failed updates: retried, then the service is removed entirely (anchors §1.8, §7.1)', function () {
    const attempts = Number(FAST.RECONFIGURE_ATTEMPTS)
    const interval = Number(FAST.RECONFIGURE_INTERVAL_MS)
    const retries = () => output().split('\n').filter((l) => l.includes('Config validation failed. Will try again...')).length

    async function withWorkingRoute(): Promise<void> {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      expect((await front('/demo/hello')).status).to.equal(200)
    }

    it('pathType=bogus: 500 after every attempt, the real message, the earlier working route gone too', async function () {
      await withWorkingRoute()
      const before = retries()
      const { r, ms } = await timed('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&pathType=bogus`)
      expect(r.status).to.equal(500)
      expect(r.headers['content-type']).to.equal(TEXT)
      expect(ms).to.be.at.least(attempts * interval)
      // The answer can come before the last retry's log line: wait for the lines, then count them.
      await waitUntil(() => retries() - before >= attempts, 10_000)
      expect(retries() - before).to.equal(attempts)
      const body = parse(r)
      expect(body.Status).to.equal('NOK')
      expect(body.ServiceDest?.[0].PathType).to.equal('bogus')
      // "Config validation failed", HAProxy's stdout and stderr, then the whole file it checked.
      const cfgPath = path.join(L().dir, 'haproxy.cfg')
      expect(body.Message).to.match(/^Config validation failed\n\nstdout:\n[^]*\nstderr:\n[^]*\n\nglobal\n/)
      expect(body.Message).to.include(`[ALERT]`).and.to.include(`parsing [${cfgPath}:`).and.to.include("unknown fetch method 'bogus'")
      expect(body.Message).not.to.include('.haproxy-check.cfg')
      expect(body.Message).to.include(`\n    acl url_localhost${demoPort}_0 bogus /demo\n`)
      expect(body.Message.endsWith(`    server localhost localhost:${demoPort}`)).to.equal(true)

      expect(await services()).to.deep.equal({})
      expect(cfg()).not.to.include('localhost')
      expect((await front('/demo/hello')).status).to.equal(503)
      expect(fs.readdirSync(L().dir).sort()).to.deep.equal(['.haproxy-run.cfg', 'errorfiles', 'haproxy.cfg', 'run'])
    })

    it('reqMode=bogus with srcPort and port: 500 (no backend for its frontend), service removed', async function () {
      const tcpPort = await freePort()
      const r = await api('reconfigure', `serviceName=localhost&reqMode=bogus&srcPort=${tcpPort}&port=${demoPort}`)
      expect(r.status).to.equal(500)
      expect(parse(r).Message).to.include(`unable to find required default_backend: 'localhost-be${demoPort}_0'`)
      expect(await services()).to.deep.equal({})
      expect(cfg()).not.to.include('tcpFE_')
    })

    it('a serviceName that does not resolve: 500 "could not resolve address", service removed', async function () {
      const name = 'swarmnet-no-such-service.invalid'
      const r = await api('reconfigure', `serviceName=${name}&servicePath=/x&port=8080`)
      expect(r.status).to.equal(500)
      expect(parse(r).Message).to.include(`could not resolve address '${name}'`)
      expect(await services()).to.deep.equal({})
      expect(cfg()).not.to.include(name)
    })

    it('a srcPort already bound: 500 from the reload itself, service removed', async function () {
      const taken = net.createServer()
      await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve))
      const port = (taken.address() as net.AddressInfo).port
      try {
        await withWorkingRoute()
        const r = await api('reconfigure', `serviceName=localhost&reqMode=tcp&srcPort=${port}&port=${demoPort}`)
        expect(r.status).to.equal(500)
        const message = parse(r).Message
        expect(message).to.match(/^Command .*\n\nstdout:\n\nstderr:\n/)
        expect(message).to.include('cannot bind socket')
        expect(await services()).to.deep.equal({})
        expect(cfg()).not.to.include(`tcpFE_${port}`)
        // HAProxy still runs, on the config without the service.
        expect((await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)).status).to.equal(200)
        expect((await front('/demo/hello')).status).to.equal(200)
      } finally {
        taken.close()
      }
    })

    it('reload over a broken haproxy.cfg: 500 with Status "OK" and no Message; reload?recreate=true repairs it', async function () {
      await withWorkingRoute()
      const good = cfg()
      fs.appendFileSync(path.join(L().dir, 'haproxy.cfg'), '\n    this is not haproxy')
      const { r, ms } = await timed('reload')
      expect(r.status).to.equal(500)
      expect(r.headers['content-type']).to.equal(TEXT)
      expect(r.body).to.equal(PING) // Status "OK", Message "": the real handler's quirk
      expect(ms).to.be.at.least(attempts * interval)
      expect((await front('/demo/hello')).status, 'HAProxy keeps the config it runs').to.equal(200)

      const repaired = await api('reload', 'recreate=true')
      expect(repaired.status).to.equal(200)
      expect(parse(repaired)).to.include({ Status: 'OK', Message: '' })
      expect(cfg()).to.equal(good)
      expect(runCfg()).to.equal(`${good}\n`)
      expect((await front('/demo/hello')).status).to.equal(200)
    })

    it('a remove whose reload fails still answers 200, after the retries (the real handler ignores the error)', async function () {
      expect((await api('reconfigure', 'serviceName=127.0.0.31&servicePath=/x&port=1')).status).to.equal(200)
      // Without an errorfile the config line naming it fails HAProxy's check.
      const page = path.join(L().dir, 'errorfiles', '503.http')
      const saved = fs.readFileSync(page)
      fs.rmSync(page)
      try {
        const { r, ms } = await timed('remove', 'serviceName=127.0.0.31')
        expect(r.status).to.equal(200)
        expect(parse(r)).to.include({ Status: 'OK', Message: '', ServiceName: '127.0.0.31' })
        expect(ms).to.be.at.least(attempts * interval)
        expect(await services()).to.deep.equal({})
      } finally {
        fs.writeFileSync(page, saved)
      }
      expect((await api('reload')).status).to.equal(200)
    })
  })

  describe('aclName (anchors §1.7, §7.1)', function () {
    it('changing a service\'s aclName leaves the backend under the old name in the config', async function () {
      const q = `serviceName=localhost&servicePath=/demo&port=${demoPort}`
      expect((await api('reconfigure', `${q}&aclName=first`)).status).to.equal(200)
      expect((await api('reconfigure', `${q}&aclName=second`)).status).to.equal(200)
      expect(cfg().match(/^ {4}acl url_.*/gm)).to.deep.equal([`    acl url_second${demoPort}_0 path_beg /demo`])
      expect(cfg().match(/^backend .*/gm)).to.deep.equal([`backend first-be${demoPort}_0`, `backend second-be${demoPort}_0`])
      expect((await services()).localhost.AclName).to.equal('second')
      expect((await front('/demo/hello')).status).to.equal(200)

      // remove deletes only the files of the aclName it is given.
      expect((await api('remove', 'serviceName=localhost&aclName=second')).status).to.equal(200)
      expect(cfg().match(/^backend .*/gm)).to.deep.equal([`backend first-be${demoPort}_0`])
      // The orphan goes when a service of that aclName is removed with it.
      await api('reconfigure', `${q}&aclName=first`)
      await api('remove', 'serviceName=localhost&aclName=first')
      expect(cfg()).to.include('backend dummy-be')
      expect(cfg()).not.to.include('first-be')
    })
  })

  describe('distribute (anchors §1.6)', function () {
    interface LookupAddress {
      address: string
      family: number
    }
    interface DistReq {
      method: string
      path: string
      rawQuery: string
      body: string
      contentType: string
    }
    interface DistributeModule {
      withoutDistribute(encoded: string): string
      distributeUrls(ips: string[], port: number, path: string, rawQuery: string): string[]
      distribute(
        req: DistReq,
        opts: { port: number; serviceName: string; lookup?: (name: string, o: { all: true }) => Promise<LookupAddress[]>; timeoutMs?: number },
      ): Promise<{ ok: boolean; message: string }>
    }
    let mod: DistributeModule
    before(async function () {
      mod = await load<DistributeModule>('lab/images/proxy/distribute.mjs')
    })
    const reconf = (query: string): DistReq => ({ method: 'GET', path: `${PREFIX}/reconfigure`, rawQuery: query, body: '', contentType: '' })

    it('rewrites the query to distribute=false, whatever the spelling, keeping the rest', function () {
      const q = new URLSearchParams(mod.withoutDistribute('serviceName=go-demo&Distribute=true&servicePath=/demo&distribute=true&port=8080'))
      expect(q.getAll('distribute')).to.deep.equal(['false'])
      expect([...q.keys()].filter((k) => k.toLowerCase() === 'distribute')).to.deep.equal(['distribute'])
      expect(q.get('serviceName')).to.equal('go-demo')
      expect(q.get('servicePath')).to.equal('/demo')
      expect(q.get('port')).to.equal('8080')
      expect(new URLSearchParams(mod.withoutDistribute('serviceName=x')).get('distribute')).to.equal('false')
    })

    it('sends to http://<ip>:<PORT><path>?<query> for every task IP', function () {
      const urls = mod.distributeUrls(['10.0.0.5', '10.0.0.6', 'fd00::7'], 8080, `${PREFIX}/remove`, 'serviceName=go-demo&distribute=true')
      expect(urls).to.deep.equal([
        `http://10.0.0.5:8080${PREFIX}/remove?serviceName=go-demo&distribute=false`,
        `http://10.0.0.6:8080${PREFIX}/remove?serviceName=go-demo&distribute=false`,
        `http://[fd00::7]:8080${PREFIX}/remove?serviceName=go-demo&distribute=false`,
      ])
    })

    it('fans out to the replicas the look-up returns (here: the running stand-in)', async function () {
      let asked = ''
      const lookup = async (name: string) => {
        asked = name
        return [{ address: '127.0.0.1', family: 4 }]
      }
      const r = await mod.distribute(reconf(`serviceName=localhost&servicePath=/demo&port=${demoPort}&distribute=true`), {
        port: L().api,
        serviceName: 'proxy_proxy',
        lookup,
      })
      expect(asked).to.equal('tasks.proxy_proxy')
      expect(r).to.deep.equal({ ok: true, message: 'Distributed to all instances' })
      expect((await services()).localhost).to.include({ Distribute: false })
      expect((await front('/demo/hello')).status).to.equal(200)

      // A url-encoded POST body is forwarded with its distribute switched off too.
      const post: DistReq = {
        method: 'POST',
        path: `${PREFIX}/remove`,
        rawQuery: '',
        body: 'serviceName=localhost&distribute=true',
        contentType: 'application/x-www-form-urlencoded',
      }
      expect(await mod.distribute(post, { port: L().api, serviceName: 'proxy', lookup })).to.deep.include({ ok: true })
      expect(await services()).to.deep.equal({})
    })

    it('reports the real proxy\'s errors', async function () {
      const req = reconf('serviceName=x&servicePath=/x&port=1&distribute=true')
      const failing = await mod.distribute(req, {
        port: closedPort,
        serviceName: 'proxy',
        lookup: async () => [
          { address: '127.0.0.1', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      })
      expect(failing).to.deep.equal({ ok: false, message: 'Could not send distribute request to the following addresses: [127.0.0.1]' })

      const none = await mod.distribute(req, { port: 1, serviceName: 'proxy', lookup: async () => [] })
      expect(none.ok).to.equal(false)
      expect(none.message).to.equal(
        'Could not resend distribution requests since no replicas of the "proxy" were found. Please check that the name of the service is "proxy". If it isn\'t, set the environment variable "SERVICE_NAME" with the name of the proxy service as value.',
      )

      const dnsDown = await mod.distribute(req, {
        port: 1,
        serviceName: 'px',
        lookup: async () => {
          throw new Error('ENOTFOUND')
        },
      })
      expect(dnsDown).to.deep.equal({
        ok: false,
        message: "Could not perform DNS lookup for tasks.px. If the proxy is not called 'proxy', you must set SERVICE_NAME=<name-of-the-proxy> on the proxy service.",
      })
    })
  })
})

describe('lab image proxy: DO_NOT_RESOLVE_ADDR=true (the real go-demo example)', function () {
  this.timeout(60000)
  let lab: Lab | undefined
  const L = (): Lab => {
    if (!lab) throw new Error('the stand-in did not start')
    return lab
  }
  const { api, cfg, front } = client(L)
  before(async function () {
    requireHaproxy()
    lab = await startLab({ ...FAST, DO_NOT_RESOLVE_ADDR: 'true' })
  })
  after(async function () {
    await stopLab(lab)
  })

  it('accepts a serviceName that does not resolve (yet) and writes the whole file like the real template', async function () {
    const r = await api('reconfigure', 'serviceName=go-demo&servicePath=/demo&port=8080')
    expect(r.status, r.body).to.equal(200)
    const { dir, fe1, fe2 } = L()
    const ciphers = 'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS'
    expect(cfg()).to.equal(
      [
        'global',
        `    pidfile ${dir}/run/haproxy.pid`,
        `    stats socket ${dir}/run/haproxy.sock mode 660 level admin expose-fd listeners`,
        '    tune.ssl.default-dh-param 2048',
        '',
        '    # disable sslv3, prefer modern ciphers',
        '    ssl-default-bind-options no-sslv3',
        `    ssl-default-bind-ciphers ${ciphers}`,
        '',
        '    ssl-default-server-options no-sslv3',
        `    ssl-default-server-ciphers ${ciphers}`,
        '',
        'resolvers docker',
        '    nameserver dns 127.0.0.1:53',
        '    hold timeout 1h',
        '    hold refused 1h',
        '    hold other 1h',
        '    hold nx 1h',
        '',
        'defaults',
        '    mode    http',
        '    balance roundrobin',
        '',
        '    default-server init-addr last,libc,none',
        '    option  dontlognull',
        '    option  dontlog-normal',
        '    option  http-keep-alive',
        '    option  redispatch',
        '',
        ...['400', '403', '405', '408', '429', '500', '502', '503', '504'].map((c) => `    errorfile ${c} ${dir}/errorfiles/${c}.http`),
        '',
        '    maxconn 5000',
        '    timeout connect 5s',
        '    timeout client  20s',
        '    timeout server  20s',
        '    timeout queue   30s',
        '    timeout tunnel  3600s',
        '    timeout http-request 5s',
        '    timeout http-keep-alive 15s',
        '',
        '',
        'frontend services',
        `    bind *:${fe1}`,
        `    bind *:${fe2}`,
        '    mode http',
        '    option  forwardfor',
        '',
        '    acl url_go-demo8080_0 path_beg /demo',
        '    use_backend go-demo-be8080_0 if url_go-demo8080_0',
        '',
        '',
        '',
        '',
        '',
        'backend go-demo-be8080_0',
        '    mode http',
        '    http-request add-header X-Forwarded-Proto https if { ssl_fc }',
        '    server go-demo go-demo:8080',
      ].join('\n'),
    )
    // The server has no address; HAProxy answers 503 until it resolves.
    expect((await front('/demo/hello')).status).to.equal(503)
    await api('remove', 'serviceName=go-demo')
  })
})

describe('lab image proxy: the real proxy\'s timing, with the defaults (no lab knobs set)', function () {
  this.timeout(90000)
  let lab: Lab | undefined
  const L = (): Lab => {
    if (!lab) throw new Error('the stand-in did not start')
    return lab
  }
  const { api, timed, output } = client(L)
  before(async function () {
    requireHaproxy()
    lab = await startLab()
  })
  after(async function () {
    await stopLab(lab)
  })

  it('retries a refused config 20 times, 1000 ms apart, and answers a reload after at least 500 ms', async function () {
    expect(output()).to.include('a failed HAProxy check is retried 20 times, 1000 ms apart; a reload answers after at least 500 ms')
    const add = await timed('reconfigure', 'serviceName=127.0.0.1&servicePath=/t&port=1')
    expect(add.r.status, add.r.body).to.equal(200)
    const reload = await timed('reload')
    expect(reload.r.status).to.equal(200)
    const removed = await timed('remove', 'serviceName=127.0.0.1')
    expect(removed.r.status).to.equal(200)
    for (const ms of [add.ms, reload.ms, removed.ms]) expect(ms).to.be.at.least(490)
    // Nothing to reload: the real proxy answers without reloading (so without the wait).
    const reloads = () => output().split('\n').filter((l) => l.includes('Reloading the proxy')).length
    const before = reloads()
    expect((await api('remove', 'serviceName=127.0.0.1')).status).to.equal(200)
    await waitUntil(() => output().includes('127.0.0.1 was not configured, no reload required'), 5000)
    expect(output()).to.include('127.0.0.1 was not configured, no reload required')
    expect(reloads()).to.equal(before)
  })

  // The one test that waits the real ~20 s: what a client meets when HAProxy refuses a route.
  it('pathType=bogus: 500 only after 20 checks 1 s apart, then the service is gone, its earlier route too', async function () {
    const checks = () => output().split('\n').filter((l) => l.includes('Config validation failed. Will try again...')).length
    expect((await api('reconfigure', 'serviceName=127.0.0.1&servicePath=/t&port=1')).status).to.equal(200)
    expect(Object.keys(await parse<Record<string, Answer>>(await api('config', 'type=json')))).to.deep.equal(['127.0.0.1'])
    const before = checks()
    const { r, ms } = await timed('reconfigure', 'serviceName=127.0.0.1&servicePath=/t&port=1&pathType=bogus', { timeoutMs: 60000 })
    expect(r.status).to.equal(500)
    expect(ms).to.be.at.least(20 * 1000)
    await waitUntil(() => output().includes('&pathType=bogus -> 500'), 5000)
    expect(checks() - before).to.equal(20)
    expect(parse(r)).to.include({ Status: 'NOK' })
    expect(parse(r).Message).to.match(/^Config validation failed\n\nstdout:\n[^]*\[ALERT\][^]*\n\nglobal\n/)
    expect(parse<Record<string, Answer>>(await api('config', 'type=json'))).to.deep.equal({})
    expect((await api('config')).body.match(/^backend .*/gm)).to.deep.equal(['backend dummy-be'])
  })

  it('reloads one at a time: three at once take three reload times', async function () {
    const started = Date.now()
    const answers = await Promise.all([api('reload'), api('reload'), api('reload')])
    expect(answers.map((r) => r.status)).to.deep.equal([200, 200, 200])
    expect(Date.now() - started).to.be.at.least(3 * 490)
  })
})

describe('lab image proxy: config rendering and parsing (no HAProxy run)', function () {
  type Pairs = Array<[string, string]>
  interface Service {
    ServiceName: string
    AclName: string
    ServiceDomainAlgo: string
    ServiceDest: Dest[]
    [field: string]: unknown
  }
  interface ConfigModule {
    parseQuery(raw: string): Pairs
    serviceFromRequest(query: Pairs, form: Pairs, env?: Record<string, string>): Service
    validate(s: Service): { status: number; message: string } | null
    prepareService(s: Service, env?: Record<string, string>): Service
    backendFile(s: Service): string
    renderConfig(services: Service[], files: Map<string, string>, env?: Record<string, string>): string
    settings(env?: Record<string, string>): { attempts: number; intervalMs: number; reloadMinMs: number }
  }
  let mod: ConfigModule
  before(async function () {
    mod = await load<ConfigModule>('lab/images/proxy/config.mjs')
  })
  const svc = (query: string, env: Record<string, string> = {}) => {
    const pairs = mod.parseQuery(query)
    return mod.serviceFromRequest(pairs, pairs, env)
  }
  // What a reconfigure does to the proxy's state: its copy of the service, its files.
  const configure = (queries: string[], env: Record<string, string> = {}) => {
    const stored: Service[] = []
    const files = new Map<string, string>()
    for (const q of queries) {
      const s = mod.prepareService({ ...svc(q, env) }, env)
      files.set(`${s.AclName}-fe.cfg`, '')
      files.set(`${s.AclName}-be.cfg`, mod.backendFile(s))
      stored.push(s)
    }
    return { stored, files, render: () => mod.renderConfig(stored, files, env) }
  }

  it('the lab knobs default to the real proxy\'s 20 attempts, 1 s apart, ~0.5 s per reload', function () {
    expect(mod.settings({})).to.deep.equal({ attempts: 20, intervalMs: 1000, reloadMinMs: 500 })
    expect(mod.settings({ RECONFIGURE_ATTEMPTS: '3', RECONFIGURE_INTERVAL_MS: '10', RELOAD_MIN_MS: '0' })).to.deep.equal({ attempts: 3, intervalMs: 10, reloadMinMs: 0 })
    expect(mod.settings({ RECONFIGURE_ATTEMPTS: 'many' }).attempts, "Go's Atoi error gives 0").to.equal(0)
  })

  it('defaults DEFAULT_PORTS to 80,443 and emits the dummy route with no services', function () {
    const text = mod.renderConfig([], new Map(), {})
    expect(text).to.include('frontend services\n    bind *:80\n    bind *:443\n    mode http\n    option  forwardfor\n')
    expect(text.endsWith('    option  forwardfor\n\n\n\n    acl url_dummy path_beg /dummy\n    use_backend dummy-be if url_dummy\n\nbackend dummy-be\n    server dummy 1.1.1.1:1111 check')).to.equal(true)
    expect(text).to.include('\n    errorfile 503 /errorfiles/503.http\n')
    expect(text).to.include('\n    stats socket /var/run/haproxy.sock mode 660 level admin expose-fd listeners\n')
  })

  it('parses lists, replicas and the un-indexed fallback like the real proxy', function () {
    const s = svc('serviceName=a&servicePath=/x,/y&port=80&replicas=2&serviceDomain=*.example.com')
    expect(s).to.include({ Replicas: 2, IsGlobal: false, ServiceDomainAlgo: '' })
    expect(s.ServiceDest[0]).to.deep.include({ ServicePath: ['/x', '/y'], ServiceDomain: ['*.example.com'], PathType: '' })
    expect(svc('serviceName=a&serviceDomain=a.com&port=80').ServiceDest[0].ServicePath).to.deep.equal(['/'])
    expect(svc('serviceName=a&servicePath=/x&port=80', { SEPARATOR: ';' }).ServiceDest[0].ServicePath).to.deep.equal(['/x'])
    expect(svc('serviceName=a&servicePath.1=/x%3B/y&port=80', { SEPARATOR: ';' }).ServiceDest[0]).to.deep.include({
      ServicePath: ['/x', '/y'],
      Index: 1,
      Port: '80',
    })
    // A raw ";" ends the parameter in Go 1.11's query parser, so SEPARATOR=; needs %3B.
    expect(svc('serviceName=a&servicePath=/x;/y&port=80', { SEPARATOR: ';' }).ServiceDest[0].ServicePath).to.deep.equal(['/x'])
    expect(svc('serviceName=a&servicePath=/x&port=80&httpsOnly=true').ServiceDest[0].HttpsOnly).to.equal(true)
    expect(svc('serviceName=a&servicePath=/x&port=80', { HTTPS_ONLY: 'true' }).ServiceDest[0].HttpsOnly).to.equal(true)
    expect(svc('serviceName=a&servicePath=/x&port=80').IsGlobal).to.equal(true)
    // Go's query parser (1.11) also splits on ";".
    expect(mod.parseQuery('a=1;b=2&c=x+y&bad=%zz')).to.deep.equal([['a', '1'], ['b', '2'], ['c', 'x y']])
  })

  it('reads service fields case-insensitively from query and form, destination fields only from the exact query name', function () {
    const s = mod.serviceFromRequest([['ServicePath', '/q']], [['SERVICENAME', 'a'], ['servicePath', '/b'], ['ServicePath', '/q']])
    expect(s.ServiceName).to.equal('a')
    expect(s.ServiceDest[0].ServicePath).to.equal(null) // no destination at all: the bare one
    expect(mod.validate(s)?.status).to.equal(409)
    // A scalar takes the last value, body before query; a list takes every value.
    const t = mod.serviceFromRequest([['aclName', 'q']], [['aclName', 'body'], ['addResHeader', 'X: 1'], ['aclName', 'q']])
    expect(t).to.include({ AclName: 'q' })
    expect(t.AddResHeader).to.deep.equal(['X: 1'])
  })

  it('validates in the real proxy\'s order', function () {
    expect(mod.validate(svc('port=80'))?.status).to.equal(400)
    expect(mod.validate(svc('serviceName=a&reqMode=tcp&servicePath=/x&port=80'))?.message).to.match(/^When NOT using reqMode http/)
    expect(mod.validate(svc('serviceName=a&reqMode=tcp&srcPort=6379&port=6379'))).to.equal(null)
    expect(mod.validate(svc('serviceName=a&serviceDomain=a.com'))?.message).to.match(/port query is mandatory/)
    expect(mod.validate(svc('serviceName=a&serviceDomain=a.com&httpsPort=443')), 'httpsPort counts as a port').to.equal(null)
  })

  it('server lines: plain by default; CHECK_RESOLVERS adds the resolvers and the default-server line', function () {
    const plain = configure(['serviceName=go-demo&servicePath=/demo&port=8080']).render()
    expect(plain).to.include('\n    server go-demo go-demo:8080')
    expect(plain).not.to.include('init-addr')
    const env = { CHECK_RESOLVERS: 'true' }
    const checked = configure(['serviceName=go-demo&servicePath=/demo&port=8080'], env).render()
    expect(checked.endsWith('\n    server go-demo go-demo:8080 check resolvers docker')).to.equal(true)
    expect(checked).to.include('    balance roundrobin\n\n    default-server init-addr last,libc,none\n    option  dontlognull\n')
    const dns = configure(['serviceName=go-demo&servicePath=/demo&port=8080&discoveryType=DNS&replicas=3'], env).render()
    expect(dns.endsWith('\n    server-template go-demo 3 go-demo:8080 check resolvers docker')).to.equal(true)
  })

  it('global USERS: a defaultUsers userlist and its auth lines in every backend', function () {
    const env = { USERS: 'ops:pw1,dev:pw2' }
    const text = configure(['serviceName=go-demo&servicePath=/demo&port=8080'], env).render()
    expect(text).to.include('    timeout http-keep-alive 15s\n\n\nuserlist defaultUsers\n    user ops insecure-password pw1\n    user dev insecure-password pw2\n\nfrontend services')
    expect(text).to.include('\n    acl defaultUsersAcl http_auth(defaultUsers)\n    http-request auth realm defaultRealm if !defaultUsersAcl\n    http-request del-header Authorization')
    // users=name without a password takes it from USERS.
    const s = svc('serviceName=a&servicePath=/x&port=80&users=dev', env)
    expect(s.Users).to.deep.equal([{ Username: 'dev', Password: 'pw2', PassEncrypted: false }])
  })

  it('backend values pass through Go\'s html/template escaping, as in the real proxy', function () {
    const { files } = configure(['serviceName=a&servicePath=/x&port=80&users=u:p%2Bw&reqPathSearchReplace=/x/(.%2B),/\\1'])
    const be = files.get('a-be.cfg') ?? ''
    expect(be).to.include('    user u insecure-password p&#43;w\n')
    expect(be).to.include('    http-request set-path %[path,regsub(/x/(.&#43;),/\\1)]')
  })

  it('a "*" domain: hdr_end the first time, then (trimmed in the stored service) hdr_beg, like the real proxy', function () {
    const { render } = configure(['serviceName=a&serviceDomain=*.example.com&port=80'])
    expect(render()).to.include('    acl domain_a80_0 hdr_end(host) -i .example.com\n')
    expect(render()).to.include('    acl domain_a80_0 hdr_beg(host) -i .example.com\n')
  })
})

describe('lab image proxy: life cycle', function () {
  this.timeout(60000)
  before(requireHaproxy)

  it('SIGTERM stops HAProxy with the stand-in and leaves no process behind', async function () {
    const lab = await startLab(FAST)
    try {
      expect(processesMentioning(lab.dir).length).to.be.at.least(2) // master + worker
      lab.proxy.child.kill('SIGTERM')
      const exit = await lab.proxy.exited
      expect(exit.code).to.equal(0)
      await waitUntil(() => processesMentioning(lab.dir).length === 0, 3000)
      expect(processesMentioning(lab.dir)).to.deep.equal([])
      expect(lab.proxy.output()).to.include('stopping HAProxy')
    } finally {
      await stopLab(lab)
    }
  })

  it('exits non-zero when HAProxy goes away, so Swarm restarts the task', async function () {
    const lab = await startLab(FAST)
    try {
      const standIn = lab.proxy.child.pid
      const master = processesMentioning(lab.dir).find((pid) => parentOf(pid) === standIn)
      expect(master, 'HAProxy master as a child of the stand-in').to.be.a('number')
      process.kill(master as number, 'SIGTERM')
      const exit = await lab.proxy.exited
      expect(exit.code).to.equal(1)
      await waitUntil(() => processesMentioning(lab.dir).length === 0, 3000)
      expect(processesMentioning(lab.dir)).to.deep.equal([])
    } finally {
      await stopLab(lab)
    }
  })

  it('exits non-zero with a clear message when HAProxy cannot be run', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swarmnet-lab-proxy-'))
    try {
      const r = spawnSync(process.execPath, [PROXY], {
        env: {
          PATH: process.env.PATH,
          CFG_DIR: dir,
          ERRORFILES_DIR: path.join(dir, 'errorfiles'),
          HAPROXY_RUN_DIR: path.join(dir, 'run'),
          PORT: '0',
          HAPROXY_BIN: path.join(dir, 'no-haproxy-here'),
        },
        encoding: 'utf8',
        timeout: 20000,
      })
      expect(r.status).to.equal(1)
      expect(r.stdout).to.include('cannot run')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

function parentOf(pid: number): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)\s+/, '').split(' ')[1])
  } catch {
    return undefined
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond() && Date.now() < deadline) await sleep(50)
}
