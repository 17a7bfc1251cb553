import {expect} from 'chai'
import http from 'node:http'
import net, {type AddressInfo} from 'node:net'

import type {Environment} from '../../../src/lib/core/environment.js'
import type {PortSpec, ServiceSummary, SwarmNode, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {type MeshInput, type MeshResult, type Probe, checkMeshInput, meshCheck} from '../../../src/lib/mesh/mesh.js'
import {fakeCluster, onLab} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const cid = (digit: number) => String(digit).repeat(64)
const short = (digit: number) => cid(digit).slice(0, 12)

/** Loopback addresses of our own (127.0.0.0/8 is all loopback on Linux), none of them a lab node's. */
const NODES = [node('n1', 'node-1', '127.0.0.21', 'manager'), node('n2', 'node-2', '127.0.0.22'), node('n3', 'node-3', '127.0.0.23')]
const tcp = (publishedPort: number, publishMode: 'host' | 'ingress', targetPort = 80): PortSpec => ({protocol: 'tcp', targetPort, publishedPort, publishMode})

const input = (overrides: Partial<MeshInput>): MeshInput => ({path: '/', json: true, ...overrides})

const fails = async (promise: Promise<unknown>): Promise<SwarmnetError> =>
  promise.then(
    () => expect.fail('should have failed'),
    (error: SwarmnetError) => error,
  )

describe('mesh: checkMeshInput', () => {
  it('a service: no port to return', () => {
    expect(checkMeshInput(input({service: 'web'})).port).to.equal(undefined)
  })

  it('a port: the number', () => {
    expect(checkMeshInput(input({port: '8080', path: '/health?x=1'}))).to.deep.equal({service: undefined, port: 8080, path: '/health?x=1'})
    expect(checkMeshInput(input({port: '1'})).port).to.equal(1)
    expect(checkMeshInput(input({port: '65535'})).port).to.equal(65_535)
  })

  const bad: [string, Partial<MeshInput>, string][] = [
    ['neither a service nor a port', {}, 'give a SERVICE or --port PORT (one of them)'],
    ['both a service and a port', {service: 'web', port: '80'}, 'give a SERVICE or --port PORT (one of them)'],
    ['both, and a bad path: the first problem', {service: 'web', port: '80', path: 'x'}, 'give a SERVICE or --port PORT (one of them)'],
    ['a bad service name', {service: 'web/1'}, 'invalid SERVICE "web/1": expected a service name or id'],
    ['a path without its slash', {service: 'web', path: 'health'}, 'invalid --path "health": expected a path starting with "/", without spaces, quotes, backslashes or "#", e.g. /demo/hello'],
    ['a path with a space', {service: 'web', path: '/a b'}, 'invalid --path "/a b": expected a path starting with "/", without spaces, quotes, backslashes or "#", e.g. /demo/hello'],
    ['port 0', {port: '0'}, 'invalid --port "0": expected a port number from 1 to 65535'],
    ['port 65536', {port: '65536'}, 'invalid --port "65536": expected a port number from 1 to 65535'],
    ['a named port', {port: 'http'}, 'invalid --port "http": expected a port number from 1 to 65535'],
    ['a negative port', {port: '-80'}, 'invalid --port "-80": expected a port number from 1 to 65535'],
    ['an empty port', {port: ''}, 'invalid --port "": expected a port number from 1 to 65535'],
  ]
  for (const [name, overrides, message] of bad) {
    it(`${name}: a usage error`, () => {
      let error: unknown
      try {
        checkMeshInput(input(overrides))
      } catch (caught) {
        error = caught
      }

      expect(error).to.be.instanceOf(UsageError)
      expect((error as UsageError).message).to.equal(message)
    })
  }
})

describe('mesh: meshCheck', () => {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()))
  })

  /** A port nothing listens on, on our addresses (we listened on it and let go). */
  async function freePort(): Promise<number> {
    const server = net.createServer()
    await new Promise<void>((resolve) => {
      server.listen(0, NODES[0].address, resolve)
    })
    const {port} = server.address() as AddressInfo
    await new Promise((resolve) => {
      server.close(resolve)
    })
    return port
  }

  async function listen(server: net.Server, host: string, port: number): Promise<void> {
    const sockets = new Set<net.Socket>()
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, resolve)
    })
    closers.push(async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => {
        server.close(resolve)
      })
    })
  }

  /** Paths the HTTP servers were asked for, per address. */
  const asked: Record<string, string[]> = {}

  /** An HTTP server on the address and port that names the container it is (X-Served-By), when given one. */
  async function serveHttp(host: string, port: number, servedBy?: string): Promise<void> {
    asked[host] = []
    const server = http.createServer((request, response) => {
      asked[host].push(`${request.method} ${request.url} HTTP/${request.httpVersion}`)
      response.writeHead(200, {'Content-Type': 'text/plain', ...(servedBy ? {'X-Served-By': servedBy} : {})})
      response.end('hello\n')
    })
    await listen(server, host, port)
  }

  interface World {
    services: ServiceSummary[]
    tasks: TaskSummary[]
    nodes?: SwarmNode[]
    timeoutMs?: number
    environment?: Environment
  }

  const check = (w: World, what: Partial<MeshInput>) =>
    meshCheck(fakeCluster(fakeEngine({listServices: async () => w.services, listNodes: async () => w.nodes ?? NODES, listTasks: async () => w.tasks}), {}, w.timeoutMs ?? 2000, {}, w.environment), checkMeshInput(input(what)))

  /** The probes without their latency (a measurement), which answered probes must have. */
  function probesOf(result: MeshResult): Omit<Probe, 'latencyMs'>[] {
    return result.probes.map(({latencyMs, ...rest}) => {
      if (rest.result === 'answered') expect(latencyMs, `${rest.node} latency`).to.be.a('number').and.at.least(0)
      else expect(latencyMs, `${rest.node} latency`).to.equal(undefined)
      return rest
    })
  }

  /** web's tasks, one per node given, web.<n> on the nth node given, with container <n>. */
  const webTasks = (service: ServiceSummary, ...nodeIds: string[]) => nodeIds.map((id, i) => taskOf(`t-web-${i + 1}`, service.id, id, {slot: i + 1, containerId: cid(i + 1)}))

  describe('host mode', () => {
    it('exactly the task nodes answer, each naming its task: ok', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[1].address, port, short(2))
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2')}, {service: 'web'})
      expect(probesOf(result)).to.deep.equal([
        {node: 'node-1', address: '127.0.0.21', port, mode: 'host', runsTask: true, result: 'answered', status: 200, answeredBy: 'web.1'},
        {node: 'node-2', address: '127.0.0.22', port, mode: 'host', runsTask: true, result: 'answered', status: 200, answeredBy: 'web.2'},
        {node: 'node-3', address: '127.0.0.23', port, mode: 'host', runsTask: false, result: 'refused'},
      ])
      expect(result.verdicts).to.deep.equal([{
        service: 'web', port, mode: 'host', answering: ['node-1', 'node-2'], withTasks: ['node-1', 'node-2'], ok: true,
        diagnosis: 'host mode: exactly the 2 node(s) running a task answer (node-1, node-2), as host-mode publishing does',
      }])
      expect(result.ok).to.equal(true)
      expect(asked['127.0.0.21']).to.deep.equal(['GET / HTTP/1.0'])
    })

    it('a task node that does not answer', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[1].address, port, short(2))
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2', 'n3')}, {service: 'web'})
      expect(result.verdicts).to.deep.equal([{
        service: 'web', port, mode: 'host', answering: ['node-1', 'node-2'], withTasks: ['node-1', 'node-2', 'node-3'], ok: false,
        diagnosis: 'node-3 runs a task but does not answer (the task\'s port, or a firewall on the node)',
      }])
      expect(result.ok).to.equal(false)
    })

    it('a stray answer where no task runs', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[2].address, port)
      const result = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(result.verdicts[0]).to.deep.include({answering: ['node-1', 'node-3'], withTasks: ['node-1'], ok: false, diagnosis: `node-3 answers without running a task (another program holds port ${port})`})
      expect(probesOf(result)[2]).to.deep.equal({node: 'node-3', address: '127.0.0.23', port, mode: 'host', runsTask: false, result: 'answered', status: 200})
    })

    it('both at once, silent first', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[2].address, port)
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2')}, {service: 'web'})
      expect(result.verdicts[0].diagnosis).to.equal(`node-2 runs a task but does not answer (the task's port, or a firewall on the node); node-3 answers without running a task (another program holds port ${port})`)
    })

    it('plurals: two silent task nodes; two stray answers', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      const silent = await check({services: [web], tasks: webTasks(web, 'n1', 'n2', 'n3')}, {service: 'web'})
      expect(silent.verdicts[0].diagnosis).to.equal('node-2, node-3 run a task but do not answer (the task\'s port, or a firewall on the node)')
      await serveHttp(NODES[1].address, port)
      await serveHttp(NODES[2].address, port)
      const stray = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(stray.verdicts[0].diagnosis).to.equal(`node-2, node-3 answer without running a task (another program holds port ${port})`)
    })

    it('no task anywhere and no answer: nothing can answer, not ok', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      const result = await check({services: [web], tasks: []}, {service: 'web'})
      expect(result.verdicts).to.deep.equal([{service: 'web', port, mode: 'host', answering: [], withTasks: [], ok: false, diagnosis: 'host mode, and no node runs a task: nothing can answer'}])
      expect(probesOf(result).map((p) => p.result)).to.deep.equal(['refused', 'refused', 'refused'])
    })

    it('a task that is not running does not count as running there', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      const tasks = [...webTasks(web, 'n1'), taskOf('t-web-9', web.id, 'n2', {slot: 2, state: 'starting', containerId: cid(9)})]
      const result = await check({services: [web], tasks}, {service: 'web'})
      expect(result.verdicts[0]).to.deep.include({withTasks: ['node-1'], ok: true})
    })
  })

  describe('ingress', () => {
    it('every node answers (each forwarding to some task): the mesh works', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(2))
      await serveHttp(NODES[1].address, port, short(1))
      await serveHttp(NODES[2].address, port, short(2))
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2')}, {service: 'web'})
      expect(probesOf(result).map((p) => [p.node, p.result, p.status, p.answeredBy, p.runsTask])).to.deep.equal([['node-1', 'answered', 200, 'web.2', true], ['node-2', 'answered', 200, 'web.1', true], ['node-3', 'answered', 200, 'web.2', false]])
      expect(result.verdicts).to.deep.equal([{service: 'web', port, mode: 'ingress', answering: ['node-1', 'node-2', 'node-3'], withTasks: ['node-1', 'node-2'], ok: true, diagnosis: 'ingress: every node answers, the routing mesh works'}])
      expect(result.ok).to.equal(true)
    })

    it('no node answers (not a lab node): check the tasks, the ingress network and IPVS', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2')}, {service: 'web'})
      expect(result.verdicts).to.deep.equal([{
        service: 'web', port, mode: 'ingress', answering: [], withTasks: ['node-1', 'node-2'], ok: false,
        diagnosis: 'ingress: no node answers (2 run a task); check the tasks, the ingress network and IPVS on the nodes (swarmnet doctor)',
      }])
    })

    for (const ipvs of [false, true]) {
      it(`no node answers on this machine's lab: the wording says whether this kernel has IPVS (${ipvs ? 'it has' : 'it has not'})`, async () => {
        const labNodes = [node('n1', 'node-1', '127.0.0.11', 'manager'), node('n2', 'node-2', '127.0.0.12'), node('n3', 'node-3', '127.0.0.13')]
        const port = await freePort()
        const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
        const result = await check({services: [web], tasks: webTasks(web, 'n1'), nodes: labNodes, environment: onLab('127.0.0.0/24', {ipvs})}, {service: 'web'})
        expect(result.verdicts[0].diagnosis).to.equal(
          ipvs
            ? 'ingress: no node answers (1 run a task); check the tasks, the ingress network and IPVS on the nodes (swarmnet doctor)'
            : 'ingress: no node answers, because this kernel has no IPVS: the routing mesh cannot forward here; publish with mode=host',
        )
      })
    }

    it('only the nodes running a task answer: the mesh is not forwarding', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[2].address, port, short(2))
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n3')}, {service: 'web'})
      expect(result.verdicts).to.deep.equal([{
        service: 'web', port, mode: 'ingress', answering: ['node-1', 'node-3'], withTasks: ['node-1', 'node-3'], ok: false,
        diagnosis: 'ingress: only the nodes running a task answer: the routing mesh is not forwarding between nodes (the VXLAN data-path port (4789/udp unless moved) or 7946 blocked, or no IPVS); swarmnet doctor checks each node',
      }])
    })

    it('some other node is silent: how many, and what each silent node did', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[1].address, port, short(1))
      const result = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(result.verdicts[0]).to.deep.include({answering: ['node-1', 'node-2'], withTasks: ['node-1'], ok: false, diagnosis: 'ingress: 1 of 3 nodes do not answer (node-3: refused); swarmnet doctor checks them'})
    })

    it('silent nodes with one cause: the cause once, naming them', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(1))
      const result = await check({services: [web], tasks: webTasks(web, 'n1', 'n2')}, {service: 'web'})
      expect(result.verdicts[0]).to.deep.include({answering: ['node-1'], ok: false, diagnosis: 'ingress: 2 of 3 nodes do not answer (refused (node-2, node-3)); swarmnet doctor checks them'})
    })

    it('nodes not ready, or without an address, are not probed and not counted', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[1].address, port, short(1))
      const nodes = [NODES[0], NODES[1], {...NODES[2], status: 'down'}, node('n4', 'node-4', '')]
      const result = await check({services: [web], tasks: webTasks(web, 'n1'), nodes}, {service: 'web'})
      expect(result.probes.map((p) => p.node)).to.deep.equal(['node-1', 'node-2'])
      expect(result.verdicts[0]).to.deep.include({answering: ['node-1', 'node-2'], ok: true, diagnosis: 'ingress: every node answers, the routing mesh works'})
    })
  })

  describe('what an answer is', () => {
    it('a TCP service that is no HTTP server: answered, without status or task', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await listen(net.createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n')), NODES[0].address, port)
      const result = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(probesOf(result)[0]).to.deep.equal({node: 'node-1', address: '127.0.0.21', port, mode: 'host', runsTask: true, result: 'answered'})
    })

    it('an X-Served-By that is no task\'s container is shown as it came', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, 'f00dcafe0000')
      const result = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(probesOf(result)[0]).to.deep.include({result: 'answered', status: 200, answeredBy: 'f00dcafe0000'})
    })

    it('another service\'s container answering is named as its task', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      const other = serviceOf('svc-other', 'other', {mode: 'global'})
      await serveHttp(NODES[0].address, port, short(7))
      const tasks = [...webTasks(web, 'n1'), taskOf('t-other', other.id, 'n1', {containerId: cid(7)})]
      const result = await check({services: [web, other], tasks}, {service: 'web'})
      expect(probesOf(result)[0]).to.deep.include({answeredBy: 'other.node-1'})
    })

    it('a server that accepts and says nothing: answered, with the timeout said', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await listen(net.createServer(() => {}), NODES[0].address, port)
      const result = await check({services: [web], tasks: webTasks(web, 'n1'), timeoutMs: 300}, {service: 'web'})
      expect(probesOf(result)[0]).to.deep.equal({node: 'node-1', address: '127.0.0.21', port, mode: 'host', runsTask: true, result: 'answered', error: 'connected, but no answer within 0.3s'})
      expect(result.probes[0].latencyMs).to.be.at.least(250)
    })

    it('--path is the request\'s path (HTTP/1.0)', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web', path: '/health?deep=1'})
      expect(asked['127.0.0.21']).to.deep.equal(['GET /health?deep=1 HTTP/1.0'])
    })
  })

  describe('which ports', () => {
    it('a service\'s every published TCP port (not UDP, not unpublished): a verdict each', async () => {
      const [a, b] = [await freePort(), await freePort()]
      const web = serviceOf('svc-web', 'web', {ports: [tcp(a, 'host'), {protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress'}, {protocol: 'tcp', targetPort: 9000, publishMode: 'ingress'}, tcp(b, 'ingress', 81)]})
      await serveHttp(NODES[0].address, a, short(1))
      const result = await check({services: [web], tasks: webTasks(web, 'n1')}, {service: 'web'})
      expect(result.probes.map((p) => [p.node, p.port, p.mode, p.result])).to.deep.equal([
        ['node-1', a, 'host', 'answered'], ['node-2', a, 'host', 'refused'], ['node-3', a, 'host', 'refused'],
        ['node-1', b, 'ingress', 'refused'], ['node-2', b, 'ingress', 'refused'], ['node-3', b, 'ingress', 'refused'],
      ])
      expect(result.verdicts.map((v) => [v.port, v.mode, v.ok])).to.deep.equal([[a, 'host', true], [b, 'ingress', false]])
      expect(result.ok).to.equal(false)
    })

    it('--port: the service publishing it', async () => {
      const port = await freePort()
      const web = serviceOf('svc-web', 'web', {ports: [tcp(port, 'host')]})
      const api = serviceOf('svc-api', 'api', {ports: [tcp(port + 1 === 65_536 ? 1 : port + 1, 'ingress')]})
      await serveHttp(NODES[0].address, port, short(1))
      const result = await check({services: [api, web], tasks: webTasks(web, 'n1')}, {port: String(port)})
      expect(result.verdicts.map((v) => [v.service, v.port, v.ok])).to.deep.equal([['web', port, true]])
      expect(result.probes).to.have.length(3)
    })

    it('--port that no service publishes: a usage error listing what is published', async () => {
      const web = serviceOf('svc-web', 'web', {ports: [tcp(30_080, 'ingress'), {protocol: 'udp', targetPort: 53, publishedPort: 30_053, publishMode: 'ingress'}]})
      const api = serviceOf('svc-api', 'api', {ports: [tcp(30_443, 'host'), {protocol: 'tcp', targetPort: 9000, publishMode: 'ingress'}]})
      const error = await fails(check({services: [web, api], tasks: []}, {port: '30053'}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('no service publishes port 30053; published ports: 30080 (web), 30053 (web), 30443 (api)')
      expect((await fails(check({services: [serviceOf('svc-x', 'x')], tasks: []}, {port: '80'}))).message).to.equal('no service publishes port 80; published ports: none')
    })

    it('a service that publishes no TCP port: a usage error pointing at lb test', async () => {
      const dns = serviceOf('svc-dns', 'dns', {ports: [{protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress'}]})
      const error = await fails(check({services: [dns], tasks: []}, {service: 'dns'}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('service dns publishes no TCP port; publish one (docker service update --publish-add ...) or test it from inside: swarmnet lb test dns')
    })

    it('an unknown service lists the swarm\'s services', async () => {
      const error = await fails(check({services: [serviceOf('svc-web', 'web')], tasks: []}, {service: 'nope'}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('unknown service "nope"; the swarm\'s services are web')
    })

    // Host-mode ports conflict only per node, so two services may publish the same port in host
    // mode on different nodes; --port then gives each a verdict, but each verdict is built from the
    // probes of both services (filtered by port only).
    it('BUG: --port shared by two host-mode services on different nodes: each verdict sees only its own service\'s probes', async () => {
      const port = await freePort()
      const a = serviceOf('svc-a', 'api-a', {ports: [tcp(port, 'host')]})
      const b = serviceOf('svc-b', 'api-b', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      await serveHttp(NODES[1].address, port, short(2))
      const tasks = [taskOf('t-a', a.id, 'n1', {slot: 1, containerId: cid(1)}), taskOf('t-b', b.id, 'n2', {slot: 1, containerId: cid(2)})]
      const result = await check({services: [a, b], tasks}, {port: String(port)})
      expect(result.verdicts.map((v) => [v.service, v.answering, v.withTasks])).to.deep.equal([
        ['api-a', ['node-1', 'node-2'], ['node-1']],
        ['api-b', ['node-1', 'node-2'], ['node-2']],
      ])
      for (const v of result.verdicts) expect(v.diagnosis, v.service).not.to.equal('')
    })

    // Same setup, but api-b's task on node-2 does not answer: the mixed probes give answering
    // [node-1, node-1] and withTasks [node-1, node-2], which `same()` (equal length, every answer
    // among the task nodes) takes for equal, so api-b is reported ok.
    it('BUG: --port shared by two host-mode services, one of whose task nodes does not answer: that service is not ok', async () => {
      const port = await freePort()
      const a = serviceOf('svc-a', 'api-a', {ports: [tcp(port, 'host')]})
      const b = serviceOf('svc-b', 'api-b', {ports: [tcp(port, 'host')]})
      await serveHttp(NODES[0].address, port, short(1))
      const tasks = [taskOf('t-a', a.id, 'n1', {slot: 1, containerId: cid(1)}), taskOf('t-b', b.id, 'n2', {slot: 1, containerId: cid(2)})]
      const result = await check({services: [a, b], tasks}, {port: String(port)})
      expect(result.verdicts.map((v) => [v.service, v.ok])).to.deep.equal([['api-a', true], ['api-b', false]])
      expect(result.ok).to.equal(false)
    })
  })
})
