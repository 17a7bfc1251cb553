// The lab's docker-flow-proxy stand-in (lab/images/proxy/), run as a host process that
// drives the real HAProxy 2.6. Requests really go through HAProxy to a real go-demo
// stand-in: serviceName=localhost makes HAProxy find it through libc at load time.
import { expect } from 'chai'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
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

function requireHaproxy(): void {
  try {
    execFileSync(HAPROXY, ['-v'], { stdio: 'pipe' })
  } catch (err) {
    throw new Error(
      `HAProxy must be installed at ${HAPROXY} (Debian 12: apt-get install -y haproxy); ` +
        `these tests drive the real thing and must not be skipped. (${(err as Error).message})`,
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

async function startLab(extraEnv: Record<string, string> = {}): Promise<Lab> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swarmnet-lab-proxy-'))
  const [api, fe1, fe2] = [await freePort(), await freePort(), await freePort()]
  const env = {
    CFG_DIR: dir,
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
  ServicePath: string[]
  ServiceDomain: string[]
  SrcPort: number
  ReqMode: string
  PathType: string
  HttpsOnly: boolean
}
interface Answer {
  Status: string
  Message: string
  ServiceName: string
  AclName: string
  Distribute: boolean
  IsGlobal: boolean
  Replicas: number
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
  const api = (route: string, query = '', opts: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    request(`http://127.0.0.1:${L().api}${route.startsWith('/') ? route : `${PREFIX}/${route}`}${query ? `?${query}` : ''}`, opts)
  const front = (urlPath: string, port = L().fe1, headers: Record<string, string> = {}) =>
    request(`http://127.0.0.1:${port}${urlPath}`, { headers })
  const cfg = () => fs.readFileSync(path.join(L().dir, 'haproxy.cfg'), 'utf8')
  const services = async () => parse<Record<string, Answer>>(await api('config', 'type=json'))

  before(async function () {
    requireHaproxy()
    demoPort = await freePort()
    closedPort = await freePort()
    demo = await startNode(DEMO, { PORT: String(demoPort) }, 'go-demo stand-in on')
    lab = await startLab()
  })

  after(async function () {
    await stopLab(lab)
    await stop(demo)
  })

  // Every test starts from no routes (removing is one of the things under test, so a
  // failure here shows up as a failing hook, not as silent state leaking between tests).
  afterEach(async function () {
    if (!lab) return
    if (this.currentTest?.state === 'failed') {
      console.log(`--- stand-in output (last 40 lines) ---\n${lab.proxy.output().trim().split('\n').slice(-40).join('\n')}`)
    }
    if (lab.proxy.hasExited()) return
    for (const name of Object.keys(await services())) await api('remove', `serviceName=${encodeURIComponent(name)}`)
  })

  describe('start-up', function () {
    it('runs HAProxy (master and worker) on a dummy route bound to DEFAULT_PORTS', async function () {
      const text = cfg()
      expect(text).to.include(
        [
          'frontend services',
          `    bind *:${L().fe1}`,
          `    bind *:${L().fe2}`, // the ":ssl" suffix is dropped: no certificates in the lab
          '    mode http',
          '    option  forwardfor',
          '',
          '    acl url_dummy path_beg /dummy',
          '    use_backend dummy-be if url_dummy',
        ].join('\n'),
      )
      expect(text).to.include('backend dummy-be\n    server dummy 1.1.1.1:1111 check\n')
      expect(text).to.match(/\n$/)
      expect(processesMentioning(L().dir).length).to.be.at.least(2)
      expect((await front('/demo/hello')).status).to.equal(503)
    })

    it('writes resolvers docker from RESOLVERS, one line per comma-separated entry', function () {
      expect(cfg()).to.include(
        'resolvers docker\n    nameserver dns 127.0.0.1:53\n    hold timeout 1h\n    hold refused 1h\n    hold other 1h\n    hold nx 1h\n',
      )
    })
  })

  describe('the answers of the real proxy (anchors §1.3, §7)', function () {
    const go = 'serviceName=go-demo&servicePath=/demo&port=8080'
    const rows: Array<{ what: string; route: string; query?: string; method?: string; body?: string; status: number; type: string; message?: string }> = [
      { what: 'ping', route: 'ping', status: 200, type: 'application/json' },
      { what: 'reconfigure (GET)', route: 'reconfigure', query: go, status: 200, type: TEXT, message: '' },
      { what: 'reconfigure (POST, url-encoded body)', route: 'reconfigure', method: 'POST', body: go, status: 200, type: TEXT, message: '' },
      { what: 'reconfigure (PUT: any method works)', route: 'reconfigure', query: go, method: 'PUT', status: 200, type: TEXT },
      { what: 'config', route: 'config', status: 200, type: 'text/html' },
      { what: 'config?type=json', route: 'config', query: 'type=json', status: 200, type: 'application/json' },
      { what: 'reload', route: 'reload', status: 200, type: TEXT, message: '' },
      { what: 'remove', route: 'remove', query: 'serviceName=go-demo', status: 200, type: TEXT, message: '' },
      { what: 'remove of an unknown service', route: 'remove', query: 'serviceName=does-not-exist', status: 200, type: TEXT },
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
        const headers: Record<string, string> = row.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}
        const r = await api(row.route, row.query, { method: row.method, body: row.body, headers })
        expect(r.status, r.body).to.equal(row.status)
        expect(r.headers['content-type']).to.equal(row.type)
        if (row.route === 'config') {
          // the raw file, or the map of services (no Status there, as in the real proxy)
          if (row.type === 'text/html') expect(r.body).to.equal(before)
          else expect(parse<Record<string, unknown>>(r)).to.be.an('object')
          return
        }
        const body = parse(r)
        expect(body.Status).to.equal(row.status < 300 ? 'OK' : 'NOK')
        if (row.message !== undefined) expect(body.Message).to.equal(row.message)
        if (row.status >= 400) expect(cfg(), 'a refused request must not touch haproxy.cfg').to.equal(before)
      })
    }

    it('an unknown path under the prefix: 404 with a short body that is not JSON', async function () {
      const r = await api('no-such-endpoint')
      expect(r.status).to.equal(404)
      expect(r.headers['content-type']).to.equal(TEXT)
      expect(r.body.length).to.be.within(1, 32)
      expect(() => JSON.parse(r.body)).to.throw()
    })

    it('/v1/test and /v2/test answer JSON', async function () {
      for (const v of ['v1', 'v2']) {
        const r = await api(`/${v}/test`)
        expect(r.status).to.equal(200)
        expect(r.headers['content-type']).to.equal('application/json')
        expect(parse(r)).to.include({ Status: 'OK', Message: `Test ${v}` })
      }
    })

    it('ping has Status, Message, ServiceName and the fields of an empty service', async function () {
      const body = parse(await api('ping'))
      expect(body).to.include({ Status: 'OK', Message: '', ServiceName: '' })
      expect(body).to.include.all.keys('AclName', 'Distribute', 'IsGlobal', 'Replicas', 'ServiceDest')
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
      expect((await front('/elsewhere')).status).to.equal(503)

      const removed = await api('remove', 'serviceName=localhost')
      expect(removed.status).to.equal(200)
      expect(parse(removed)).to.include({ Status: 'OK', ServiceName: 'localhost' })
      expect((await front('/demo/hello')).status).to.equal(503)
      expect(await services()).to.deep.equal({})
    })

    it('answers with the field names of the real proxy and never echoes passwords', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo,/other&port=${demoPort}&users=admin:s3cret`)
      expect(r.status, r.body).to.equal(200)
      expect(r.body).not.to.include('s3cret')
      const body = parse(r)
      expect(Object.keys(body).slice(0, 3)).to.deep.equal(['Status', 'Message', 'ServiceName'])
      expect(body).to.include({ Status: 'OK', Message: '', ServiceName: 'localhost', AclName: '', Distribute: false, IsGlobal: true })
      expect(body.Replicas).to.equal(0)
      expect(body.Users === undefined || (Array.isArray(body.Users) && body.Users.length === 0)).to.equal(true)
      expect(body.ServiceDest).to.have.length(1)
      expect(body.ServiceDest?.[0]).to.deep.include({
        Index: 0,
        Port: String(demoPort),
        ServicePath: ['/demo', '/other'],
        ServiceDomain: [],
        SrcPort: 0,
        ReqMode: 'http',
        PathType: 'path_beg',
        HttpsOnly: false,
      })
    })

    it('writes the go-demo example with the current naming (exact lines)', async function () {
      const r = await api('reconfigure', 'serviceName=go-demo&servicePath=/demo&port=8080')
      expect(r.status, r.body).to.equal(200)
      const frontend = [
        'frontend services',
        `    bind *:${L().fe1}`,
        `    bind *:${L().fe2}`,
        '    mode http',
        '    option  forwardfor',
        '',
        '    acl url_go-demo8080_0 path_beg /demo',
        '    use_backend go-demo-be8080_0 if url_go-demo8080_0',
      ].join('\n')
      const backend = [
        'backend go-demo-be8080_0',
        '    mode http',
        '    http-request add-header X-Forwarded-Proto https if { ssl_fc }',
        '    server go-demo go-demo:8080 check resolvers docker init-addr last,libc,none',
      ].join('\n')
      const text = cfg()
      expect(text.endsWith(`\n\n${frontend}\n\n${backend}\n`), text).to.equal(true)
      expect(text).not.to.include('dummy')
      const served = await api('config')
      expect(served.body).to.equal(text)
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
      expect((await front('/demo/hello')).status).to.equal(503)
      expect(await services()).to.deep.equal({})
    })

    it('a config HAProxy rejects: 500 with HAProxy\'s message, previous config and routes kept', async function () {
      expect((await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)).status).to.equal(200)
      const before = cfg()
      const servicesBefore = await services()

      // Same service, a path type HAProxy does not know.
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&pathType=path_bogus`)
      expect(r.status).to.equal(500)
      expect(r.headers['content-type']).to.equal(TEXT)
      const body = parse(r)
      expect(body.Status).to.equal('NOK')
      expect(body.Message).to.include('[ALERT]').and.to.include("unknown fetch method 'path_bogus'")

      // A new service that breaks the file is not kept either.
      const other = await api('reconfigure', 'serviceName=127.0.0.9&servicePath=/b&port=1&pathType=nonsense')
      expect(other.status).to.equal(500)

      expect(cfg()).to.equal(before)
      expect(fs.readdirSync(L().dir).filter((f) => f !== 'haproxy.cfg')).to.deep.equal([])
      expect(await services()).to.deep.equal(servicesBefore)
      const hello = await front('/demo/hello')
      expect(hello.status).to.equal(200)
      expect(hello.body).to.equal('hello, world!')
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
      expect(cfg()).to.include(
        'backend 00first-be1_0\n    mode http\n    http-request add-header X-Forwarded-Proto https if { ssl_fc }\n    server 127.0.0.15 127.0.0.15:1 ',
      )
      const map = await services()
      expect(Object.keys(map).sort()).to.deep.equal(['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14', '127.0.0.15'])
      expect(map['127.0.0.15'].AclName).to.equal('00first')
    })

    it('reqMode=tcp gets its own frontend on srcPort and carries the bytes through', async function () {
      const tcpPort = await freePort()
      const r = await api('reconfigure', `serviceName=localhost&reqMode=tcp&srcPort=${tcpPort}&port=${demoPort}`)
      expect(r.status, r.body).to.equal(200)
      expect(cfg()).to.include(
        [`frontend tcpFE_${tcpPort}`, `    bind *:${tcpPort}`, '    mode tcp', `    default_backend localhost-be${demoPort}_0`].join('\n'),
      )
      expect(cfg()).to.include(`backend localhost-be${demoPort}_0\n    mode tcp\n    server localhost localhost:${demoPort} `)
      const hello = await front('/demo/hello', tcpPort)
      expect(hello.status).to.equal(200)
      expect(hello.body).to.equal('hello, world!')
    })

    it('config?type=json maps serviceName to the stored service', async function () {
      expect(await services()).to.deep.equal({})
      await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&replicas=3`)
      await api('reconfigure', 'serviceName=go-demo&servicePath=/demo&port=8080')
      const map = await services()
      expect(Object.keys(map).sort()).to.deep.equal(['go-demo', 'localhost'])
      expect(map.localhost).to.include({ ServiceName: 'localhost', AclName: 'localhost', Replicas: 3, IsGlobal: false })
      expect(map['go-demo'].ServiceDest?.[0]).to.deep.include({ Port: '8080', ServicePath: ['/demo'], Index: 0 })
    })

    it('reload re-applies the routes held in memory', async function () {
      await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}`)
      const r = await api('reload')
      expect(r.status).to.equal(200)
      expect((await front('/demo/hello')).status).to.equal(200)
    })

    it('distribute=true with no usable tasks.<SERVICE_NAME>: 500 with the real proxy\'s text, nothing applied', async function () {
      const r = await api('reconfigure', `serviceName=localhost&servicePath=/demo&port=${demoPort}&distribute=true`)
      expect(r.status).to.equal(500)
      const body = parse(r)
      expect(body).to.include({ Status: 'NOK', Distribute: true })
      expect(body.Message).to.match(/^Could not /)
      expect(await services()).to.deep.equal({})
      const removed = await api('remove', 'serviceName=localhost&distribute=true')
      expect(removed.status).to.equal(500)
      expect(parse(removed).Message).to.match(/^Could not /)
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

describe('lab image proxy: config rendering and parsing (no HAProxy run)', function () {
  type Pairs = Array<[string, string]>
  interface Service {
    ServiceName: string
    AclName: string
    ServiceDest: Dest[]
    [field: string]: unknown
  }
  interface ConfigModule {
    serviceFromParams(pairs: Pairs, env?: Record<string, string>): Service
    validate(s: Service): { status: number; message: string } | null
    renderConfig(services: Service[], env?: Record<string, string>): string
  }
  let mod: ConfigModule
  before(async function () {
    mod = await load<ConfigModule>('lab/images/proxy/config.mjs')
  })
  const svc = (query: string, env: Record<string, string> = {}) => mod.serviceFromParams([...new URLSearchParams(query)], env)

  it('renders the whole file for the go-demo example with the image defaults', function () {
    const text = mod.renderConfig([{ ...svc('serviceName=go-demo&servicePath=/demo&port=8080'), AclName: 'go-demo' }], {
      DEFAULT_PORTS: '80,443:ssl',
    })
    expect(text).to.equal(
      [
        'global',
        '    maxconn 5000',
        '    hard-stop-after 30s',
        '',
        'resolvers docker',
        '    nameserver dns 127.0.0.11:53',
        '',
        'defaults',
        '    mode    http',
        '    balance roundrobin',
        '    option  http-keep-alive',
        '    option  redispatch',
        '    option  dontlognull',
        '    maxconn 5000',
        '    timeout connect 5s',
        '    timeout client  20s',
        '    timeout server  20s',
        '    timeout queue   30s',
        '    timeout tunnel  3600s',
        '    timeout http-request 5s',
        '    timeout http-keep-alive 15s',
        '',
        'frontend services',
        '    bind *:80',
        '    bind *:443',
        '    mode http',
        '    option  forwardfor',
        '',
        '    acl url_go-demo8080_0 path_beg /demo',
        '    use_backend go-demo-be8080_0 if url_go-demo8080_0',
        '',
        'backend go-demo-be8080_0',
        '    mode http',
        '    http-request add-header X-Forwarded-Proto https if { ssl_fc }',
        '    server go-demo go-demo:8080 check resolvers docker init-addr last,libc,none',
        '',
      ].join('\n'),
    )
  })

  it('defaults DEFAULT_PORTS to 80,443 and emits the dummy route with no services', function () {
    const text = mod.renderConfig([], {})
    expect(text).to.include('frontend services\n    bind *:80\n    bind *:443\n')
    expect(text).to.include('    acl url_dummy path_beg /dummy\n    use_backend dummy-be if url_dummy\n')
    expect(text.endsWith('\n')).to.equal(true)
  })

  it('parses lists, replicas and the un-indexed fallback like the real proxy', function () {
    const s = svc('serviceName=a&servicePath=/x,/y&port=80&replicas=2&serviceDomain=*.example.com')
    expect(s).to.include({ Replicas: 2, IsGlobal: false, ServiceDomainAlgo: 'hdr_end(host)' })
    expect(s.ServiceDest[0]).to.deep.include({ ServicePath: ['/x', '/y'], ServiceDomain: ['.example.com'] })
    expect(svc('serviceName=a&serviceDomain=a.com&port=80').ServiceDest[0].ServicePath).to.deep.equal(['/'])
    expect(svc('serviceName=a&servicePath=/x&port=80', { SEPARATOR: ';' }).ServiceDest[0].ServicePath).to.deep.equal(['/x'])
    expect(svc('serviceName=a&servicePath.1=/x;/y&port=80', { SEPARATOR: ';' }).ServiceDest[0]).to.deep.include({
      ServicePath: ['/x', '/y'],
      Index: 1,
      Port: '80',
    })
    expect(svc('serviceName=a&servicePath=/x&port=80&httpsOnly=true').ServiceDest[0].HttpsOnly).to.equal(true)
    expect(svc('serviceName=a&servicePath=/x&port=80', { HTTPS_ONLY: 'true' }).ServiceDest[0].HttpsOnly).to.equal(true)
    expect(svc('serviceName=a&servicePath=/x&port=80').IsGlobal).to.equal(true)
  })

  it('validates in the real proxy\'s order', function () {
    expect(mod.validate(svc('port=80'))?.status).to.equal(400)
    expect(mod.validate(svc('serviceName=a&reqMode=tcp&servicePath=/x&port=80'))?.message).to.match(/^When NOT using reqMode http/)
    expect(mod.validate(svc('serviceName=a&reqMode=tcp&srcPort=6379&port=6379'))).to.equal(null)
    expect(mod.validate(svc('serviceName=a&serviceDomain=a.com'))?.message).to.match(/port query is mandatory/)
  })
})

describe('lab image proxy: life cycle', function () {
  this.timeout(60000)
  before(requireHaproxy)

  it('SIGTERM stops HAProxy with the stand-in and leaves no process behind', async function () {
    const lab = await startLab()
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
    const lab = await startLab()
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
        env: { PATH: process.env.PATH, CFG_DIR: dir, PORT: '0', HAPROXY_BIN: path.join(dir, 'no-haproxy-here') },
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
