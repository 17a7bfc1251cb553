import {expect} from 'chai'

import type {Environment} from '../../../src/lib/core/environment.js'
import type {NetworkSummary, PortSpec, ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {type SwarmMap, swarmMap} from '../../../src/lib/map/map.js'
import {type FakeProxyApi, type FakeRoute, apiPort, fakeCluster, onLab, serveProxyApi} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'
import {liveDest, liveService} from '../../helpers/fake-proxy-api.js'
import {asInCi} from '../../helpers/fixtures.js'

const network = (id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary => ({
  id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides,
})
const networks = [network('net-ingress', 'ingress', {ingress: true}), network('net-proxy', 'proxy'), network('net-app', 'app')]
// Loopback addresses of their own (127.0.0.0/8 is all loopback), where each node's proxy replica API stand-in listens.
const nodes = [node('n1', 'node-1', '127.0.0.11', 'manager'), node('n2', 'node-2', '127.0.0.12'), node('n3', 'node-3', '127.0.0.13')]
const on = (networkId: string, address: string) => ({networkId, address})
const host = (port: number): PortSpec => ({protocol: 'tcp', targetPort: port, publishedPort: port, publishMode: 'host'})
const labels = (servicePath: string, port: string) => ({'com.df.notify': 'true', 'com.df.servicePath': servicePath, 'com.df.port': port})

const proxy = serviceOf('svc-proxy', 'proxy', {image: 'dockerflow/docker-flow-proxy:latest', replicas: 4, networks: [{id: 'net-proxy', vip: '10.0.1.30'}], labels: {...labels('/x', '1')}})
const goDemo = serviceOf('svc-godemo', 'go-demo', {replicas: 2, networks: [{id: 'net-proxy', vip: '10.0.1.2'}], labels: labels('/demo', '8080')})
const api = serviceOf('svc-api', 'api', {
  endpointMode: 'dnsrr', networks: [{id: 'net-proxy'}],
  labels: {'com.df.notify': 'true', 'com.df.servicePath.1': '/api', 'com.df.port.1': '8080', 'com.df.serviceDomain.2': 'api.example.com', 'com.df.port.2': '9090', 'com.df.srcPort.2': '8443'},
})
const idle = serviceOf('svc-idle', 'idle', {networks: [{id: 'net-proxy', vip: '10.0.1.3'}], labels: labels('/idle', '80')})
const offnet = serviceOf('svc-offnet', 'offnet', {networks: [{id: 'net-app', vip: '10.0.2.2'}]})
const lonely = serviceOf('svc-lonely', 'lonely', {networks: [{id: 'net-proxy', vip: '10.0.1.4'}], labels: labels('/lonely', '80')})
const services = [proxy, goDemo, api, idle, offnet, lonely]

const appTasks = [
  taskOf('t-demo-2', goDemo.id, 'n2', {slot: 2, addresses: [on('net-proxy', '10.0.1.6')]}),
  taskOf('t-demo-1', goDemo.id, 'n1', {slot: 1, addresses: [on('net-proxy', '10.0.1.5')]}),
  taskOf('t-api-1', api.id, 'n2', {slot: 1, addresses: [on('net-proxy', '10.0.1.21')]}),
  taskOf('t-idle-1', idle.id, 'n3', {slot: 1, state: 'starting', addresses: [on('net-proxy', '10.0.1.40')]}),
  taskOf('t-offnet-1', offnet.id, 'n1', {slot: 1, addresses: [on('net-app', '10.0.2.5')]}),
  taskOf('t-lonely-1', lonely.id, 'n1', {slot: 1, addresses: [on('net-proxy', '10.0.1.50')]}),
]

const route = (path: string, port: string, overrides: Record<string, unknown> = {}) => liveDest({ServicePath: [path], Port: port, ...overrides})
const FULL = {
  'go-demo': liveService('go-demo', [route('/demo', '8080')]),
  api: liveService('api', [route('/api', '8080', {Index: 1}), liveDest({ServicePath: ['/'], ServiceDomain: ['api.example.com'], Port: '9090', SrcPort: 8443, Index: 2})]),
  idle: liveService('idle', [route('/idle', '80')]),
  offnet: liveService('offnet', [route('/offnet', '80')]),
  ghost: liveService('ghost', [route('/ghost', '80')]),
}
const {api: _api, ...WITHOUT_API} = FULL

type Answer = Record<string, unknown> | {status: number; body: string} | 'refused'

interface World {
  services?: ServiceSummary[]
  /** Per node n1, n2, n3: what its replica's API answers; undefined for no replica on that node. */
  replicas?: (Answer | undefined)[]
  /** Extra proxy tasks (pending ones). */
  proxyTasks?: TaskSummary[]
  tasks?: TaskSummary[]
  proxyPorts?: PortSpec[]
  routes?: Record<string, FakeRoute>
  environment?: Environment
}

describe('map: swarmMap', () => {
  const servers: FakeProxyApi[] = []
  asInCi()
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  async function world(w: World = {}) {
    const answers = w.replicas ?? [FULL, WITHOUT_API, {status: 500, body: 'boom'}]
    const proxyTasks: TaskSummary[] = []
    for (const [i, answer] of answers.entries()) {
      if (answer === undefined) continue
      let port: number
      if (answer === 'refused') {
        // Listen and close at once: a port nothing answers on.
        const gone = await serveProxyApi(nodes[i].address, {})
        port = gone.port
        await gone.close()
      } else {
        const server = await serveProxyApi(nodes[i].address, 'status' in answer && 'body' in answer ? () => answer as {status: number; body: string} : answer)
        servers.push(server)
        port = server.port
      }

      proxyTasks.push(taskOf(`t-proxy-${i + 1}`, proxy.id, nodes[i].id, {slot: i + 1, image: proxy.image, addresses: [on('net-proxy', `10.0.1.${31 + i}`)], publishedPorts: [host(80), host(443), apiPort(port)]}))
    }

    const tasks = [...(w.tasks ?? appTasks), ...proxyTasks, ...(w.proxyTasks ?? [])]
    // As Swarm reports it: as many replicas wanted as there are tasks meant to run.
    const proxyService = {...proxy, ports: w.proxyPorts ?? [], replicas: proxyTasks.length + (w.proxyTasks?.length ?? 0)}
    const all = (w.services ?? services).map((s) => (s.id === proxy.id ? proxyService : s))
    const engine = fakeEngine({
      listNodes: async () => nodes,
      listNetworks: async () => networks,
      listServices: async () => all,
      async listTasks(filter = {}) {
        return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
      },
    })
    return fakeCluster(engine, w.routes ?? {}, 2000, {}, w.environment)
  }

  const pendingProxy = taskOf('t-proxy-4', proxy.id, '', {slot: 4, state: 'pending', error: 'no suitable node (host-mode port already in use on 3 nodes)', containerId: undefined})

  it('draws the whole path: entry points, replicas, routes unioned across them, services and tasks, with every problem', async () => {
    const map = await swarmMap(await world({proxyTasks: [pendingProxy]}), {json: false})
    const expected: SwarmMap = {
      proxy: {name: 'proxy', mode: 'replicated', image: 'dockerflow/docker-flow-proxy:latest'},
      entryPoints: [
        {node: 'node-1', address: '127.0.0.11', ports: [80, 443], mode: 'host', replica: 'proxy.1'},
        {node: 'node-2', address: '127.0.0.12', ports: [80, 443], mode: 'host', replica: 'proxy.2'},
        {node: 'node-3', address: '127.0.0.13', ports: [80, 443], mode: 'host', replica: 'proxy.3'},
      ],
      replicas: [
        {task: 'proxy.1', node: 'node-1', via: 'published-port', routes: ['api#1', 'api#2', 'ghost#0', 'go-demo#0', 'idle#0', 'offnet#0']},
        {task: 'proxy.2', node: 'node-2', via: 'published-port', routes: ['ghost#0', 'go-demo#0', 'idle#0', 'offnet#0']},
        {task: 'proxy.3', node: 'node-3', via: 'published-port', routes: [], error: 'config?type=json: HTTP 500: boom'},
      ],
      routes: [
        {key: 'api#1', service: 'api', index: 1, paths: ['/api'], domains: [], port: '8080', reqMode: 'http', heldBy: ['proxy.1'], missingOn: ['proxy.2'], differsOn: [], labelled: true},
        {key: 'api#2', service: 'api', index: 2, paths: ['/'], domains: ['api.example.com'], port: '9090', srcPort: 8443, reqMode: 'http', heldBy: ['proxy.1'], missingOn: ['proxy.2'], differsOn: [], labelled: true},
        {key: 'ghost#0', service: 'ghost', index: 0, paths: ['/ghost'], domains: [], port: '80', reqMode: 'http', heldBy: ['proxy.1', 'proxy.2'], missingOn: [], differsOn: [], labelled: false},
        {key: 'go-demo#0', service: 'go-demo', index: 0, paths: ['/demo'], domains: [], port: '8080', reqMode: 'http', heldBy: ['proxy.1', 'proxy.2'], missingOn: [], differsOn: [], labelled: true},
        {key: 'idle#0', service: 'idle', index: 0, paths: ['/idle'], domains: [], port: '80', reqMode: 'http', heldBy: ['proxy.1', 'proxy.2'], missingOn: [], differsOn: [], labelled: true},
        {key: 'offnet#0', service: 'offnet', index: 0, paths: ['/offnet'], domains: [], port: '80', reqMode: 'http', heldBy: ['proxy.1', 'proxy.2'], missingOn: [], differsOn: [], labelled: false},
      ],
      services: [
        {name: 'api', exists: true, mode: 'replicated', endpointMode: 'dnsrr', onProxyNetwork: true, tasks: [{task: 'api.1', node: 'node-2', state: 'running', ip: '10.0.1.21'}]},
        {name: 'ghost', exists: false, onProxyNetwork: false, tasks: []},
        {
          name: 'go-demo', exists: true, mode: 'replicated', endpointMode: 'vip', onProxyNetwork: true,
          tasks: [{task: 'go-demo.1', node: 'node-1', state: 'running', ip: '10.0.1.5'}, {task: 'go-demo.2', node: 'node-2', state: 'running', ip: '10.0.1.6'}],
        },
        {name: 'idle', exists: true, mode: 'replicated', endpointMode: 'vip', onProxyNetwork: true, tasks: [{task: 'idle.1', node: 'node-3', state: 'starting', ip: '10.0.1.40'}]},
        {name: 'offnet', exists: true, mode: 'replicated', endpointMode: 'vip', onProxyNetwork: false, tasks: [{task: 'offnet.1', node: 'node-1', state: 'running'}]},
      ],
      problems: [
        {subject: 'lonely', message: 'labelled with a route that no replica holds: `swarmnet route sync`'},
        {subject: 'api#1', message: 'missing on proxy.2: requests through it get 503'},
        {subject: 'api#2', message: 'missing on proxy.2: requests through it get 503'},
        {subject: 'ghost', message: 'no such service: the proxy routes to a name that does not resolve (503)'},
        {subject: 'idle', message: 'no running task: the proxy answers 503'},
        {subject: 'offnet', message: "not on the proxy's network (proxy): the proxy cannot reach it"},
        {subject: 'proxy.3', message: 'its API did not answer: config?type=json: HTTP 500: boom'},
        {subject: 'proxy.4', message: 'not running (pending: no suitable node (host-mode port already in use on 3 nodes))'},
      ],
      read: 2,
      desired: 4,
      notRead: [
        {task: 'proxy.3', taskId: 't-proxy-3', node: 'node-3', state: 'running', reason: 'config?type=json: HTTP 500: boom'},
        {task: 'proxy.4', taskId: 't-proxy-4', node: '(no node yet)', state: 'pending', reason: 'no suitable node (host-mode port already in use on 3 nodes)'},
      ],
    }
    expect(map).to.deep.equal(expected)
  })

  it('asks every replica for its routes once', async () => {
    const cluster = await world()
    await swarmMap(cluster, {json: false})
    expect(servers.map((s) => s.requests)).to.deep.equal([['/v1/docker-flow-proxy/config?type=json'], ['/v1/docker-flow-proxy/config?type=json'], ['/v1/docker-flow-proxy/config?type=json']])
  })

  it('says "them" when a route is missing on several replicas', async () => {
    const map = await swarmMap(await world({replicas: [FULL, WITHOUT_API, WITHOUT_API]}), {json: false})
    expect(map.problems.filter((p) => p.subject.startsWith('api#'))).to.deep.equal([
      {subject: 'api#1', message: 'missing on proxy.2, proxy.3: requests through them get 503'},
      {subject: 'api#2', message: 'missing on proxy.2, proxy.3: requests through them get 503'},
    ])
    expect(map.routes.find((r) => r.key === 'api#1')).to.deep.include({heldBy: ['proxy.1'], missingOn: ['proxy.2', 'proxy.3']})
  })

  it('has no problem when every replica holds every labelled route to a running service on its network', async () => {
    const held = {'go-demo': FULL['go-demo']}
    const map = await swarmMap(await world({services: [proxy, goDemo], replicas: [held, held, held]}), {json: false})
    expect(map.problems).to.deep.equal([])
    expect(map.routes.map((r) => [r.key, r.heldBy, r.missingOn, r.labelled])).to.deep.equal([['go-demo#0', ['proxy.1', 'proxy.2', 'proxy.3'], [], true]])
    expect(map.services.map((s) => s.name)).to.deep.equal(['go-demo'])
  })

  it('does not count a replica that could not be asked as lacking a route, and says why it could not', async () => {
    const map = await swarmMap(await world({replicas: [FULL, 'refused', FULL], routes: {n2: new SwarmnetError('cannot reach the engine of node node-2 (127.0.0.12)')}}), {json: false})
    expect(map.routes.every((r) => r.missingOn.length === 0)).to.equal(true)
    // Both ways to the replica are named: its published port, then its node's engine.
    const why = /^http:\/\/127\.0\.0\.12:\d+: connection refused; through Docker: cannot reach the engine of node node-2 \(127\.0\.0\.12\)$/
    expect(map.replicas[1]).to.deep.include({task: 'proxy.2', node: 'node-2', routes: []})
    expect(map.replicas[1].error).to.match(why)
    const problems = map.problems.filter((p) => p.subject === 'proxy.2')
    expect(problems).to.have.length(1)
    expect(problems[0].message.replace('its API did not answer: ', '')).to.match(why)
  })

  it('takes a destination\'s position as its index when the replica reports none, and defaults the mode to http', async () => {
    const live = {web: liveService('web', [{ServicePath: ['/a'], Port: 80}, {ServicePath: ['/b'], Port: '81', ReqMode: 'tcp', SrcPort: 0}])}
    const web = serviceOf('svc-web', 'web', {networks: [{id: 'net-proxy'}]})
    const map = await swarmMap(await world({services: [proxy, web], replicas: [live], tasks: [taskOf('t-web-1', web.id, 'n1', {slot: 1, addresses: [on('net-proxy', '10.0.1.60')]})]}), {json: false})
    expect(map.routes.map(({key, index, paths, port, reqMode, srcPort}) => ({key, index, paths, port, reqMode, srcPort}))).to.deep.equal([
      {key: 'web#0', index: 0, paths: ['/a'], port: '80', reqMode: 'http', srcPort: undefined},
      {key: 'web#1', index: 1, paths: ['/b'], port: '81', reqMode: 'tcp', srcPort: undefined},
    ])
    expect(map.routes[0]).to.not.have.property('srcPort')
  })

  it('reports the proxy\'s own labels as no route of its own', async () => {
    const map = await swarmMap(await world({services: [proxy], replicas: [{}, {}]}), {json: false})
    expect(map.problems).to.deep.equal([])
  })

  it('draws a proxy whose tasks are all pending, with the pending ones as problems', async () => {
    const map = await swarmMap(await world({replicas: [], proxyTasks: [pendingProxy]}), {json: false})
    expect(map.replicas).to.deep.equal([])
    expect(map.entryPoints).to.deep.equal([])
    expect(map.routes).to.deep.equal([])
    expect(map.problems.at(-1)).to.deep.equal({subject: 'proxy.4', message: 'not running (pending: no suitable node (host-mode port already in use on 3 nodes))'})
  })

  it('does not say that no replica holds a labelled route when no replica could be asked', async () => {
    // Every replica's API fails: nothing is known of what they hold, so `route sync` is no advice.
    const map = await swarmMap(await world({services: [proxy, goDemo], replicas: [{status: 500, body: 'boom'}, {status: 500, body: 'boom'}]}), {json: false})
    expect(map.problems).to.deep.equal([
      {subject: 'proxy.1', message: 'its API did not answer: config?type=json: HTTP 500: boom'},
      {subject: 'proxy.2', message: 'its API did not answer: config?type=json: HTTP 500: boom'},
    ])
  })

  it('fails for a proxy with no task that should run', async () => {
    const error = await swarmMap(await world({replicas: []}), {json: false}).then(
      () => expect.fail('should have failed'),
      (error: Error) => error,
    )
    expect(error).to.be.instanceOf(SwarmnetError)
    expect(error.message).to.equal('the proxy service proxy has no task that should run (scaled to 0?)')
  })

  it('fails for an unknown --proxy', async () => {
    const error = await swarmMap(await world(), {proxy: 'edge', json: false}).then(
      () => expect.fail('should have failed'),
      (error: Error) => error,
    )
    expect(error).to.be.instanceOf(UsageError)
    expect(error.message).to.equal('unknown proxy service "edge"; proxy services here: proxy')
  })

  describe('entry points', () => {
    it('groups a node\'s ports, leaves out the API port, and leads host-mode ones to that node\'s replica', async () => {
      const map = await swarmMap(await world({replicas: [{}, undefined, {}]}), {json: false})
      expect(map.entryPoints).to.deep.equal([
        {node: 'node-1', address: '127.0.0.11', ports: [80, 443], mode: 'host', replica: 'proxy.1'},
        {node: 'node-3', address: '127.0.0.13', ports: [80, 443], mode: 'host', replica: 'proxy.3'},
      ])
    })

    it('lists routing-mesh ports on every ready node, with no replica, and no API port', async () => {
      const proxyPorts: PortSpec[] = [
        {protocol: 'tcp', targetPort: 80, publishedPort: 8000, publishMode: 'ingress'},
        {protocol: 'tcp', targetPort: 8080, publishedPort: 8080, publishMode: 'ingress'},
        {protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress'},
      ]
      const map = await swarmMap(await world({replicas: [{}], proxyPorts}), {json: false})
      expect(map.entryPoints).to.deep.equal([
        {node: 'node-1', address: '127.0.0.11', ports: [80, 443], mode: 'host', replica: 'proxy.1'},
        {node: 'node-1', address: '127.0.0.11', ports: [8000], mode: 'ingress'},
        {node: 'node-2', address: '127.0.0.12', ports: [8000], mode: 'ingress'},
        {node: 'node-3', address: '127.0.0.13', ports: [8000], mode: 'ingress'},
      ])
      expect(map.problems.filter((p) => p.subject === 'ingress')).to.deep.equal([])
    })

    it('says the routing mesh answers nowhere on a lab without IPVS', async () => {
      const proxyPorts: PortSpec[] = [{protocol: 'tcp', targetPort: 80, publishedPort: 8000, publishMode: 'ingress'}]
      const map = await swarmMap(await world({services: [proxy], replicas: [{}], proxyPorts, environment: onLab('127.0.0.0/24')}), {json: false})
      expect(map.problems).to.deep.equal([{subject: 'ingress', message: 'ports published through the routing mesh answer nowhere here: this kernel has no IPVS'}])
    })

    it('does not say so for host-mode ports on a lab', async () => {
      const map = await swarmMap(await world({services: [proxy], replicas: [{}], environment: onLab('127.0.0.0/24')}), {json: false})
      expect(map.problems).to.deep.equal([])
    })
  })
})
