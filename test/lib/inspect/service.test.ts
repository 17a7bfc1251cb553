import {expect} from 'chai'

import type {NetworkSummary, ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {UsageError} from '../../../src/lib/core/errors.js'
import {inspectService} from '../../../src/lib/inspect/service.js'
import {checkServiceRef} from '../../../src/lib/core/input.js'
import {type FakeProxyApi, apiPort, fakeCluster, serveProxyApi} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'
import {liveDest, liveService} from '../../helpers/fake-proxy-api.js'
import {asInCi} from '../../helpers/fixtures.js'

const fails = async (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('should have failed'),
    (error: Error) => error,
  )

const network = (id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary => ({
  id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides,
})
const networks = [network('net-ingress', 'ingress', {ingress: true}), network('net-proxy', 'proxy'), network('net-app', 'app')]
// Both nodes at 127.0.0.1: each proxy replica's API stand-in listens there on a port of its own.
const nodes = [node('n1', 'node-1', '127.0.0.1', 'manager'), node('n2', 'node-2', '127.0.0.1')]
const on = (networkId: string, address: string) => ({networkId, address})

const ROUTE_LABELS = {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080'}
const goDemo = serviceOf('svc-godemo-0123456789', 'go-demo', {
  replicas: 2,
  networks: [{id: 'net-ingress', vip: '10.255.0.4'}, {id: 'net-proxy', vip: '10.0.1.2'}],
  ports: [{protocol: 'tcp', targetPort: 8080, publishedPort: 30080, publishMode: 'ingress'}],
  labels: {...ROUTE_LABELS, 'com.df.distribute': 'true', 'org.example.team': 'web'},
})
const goDemoTasks = [
  taskOf('t-demo-10', goDemo.id, 'n2', {slot: 10, addresses: [on('net-proxy', '10.0.1.10')]}),
  taskOf('t-demo-2', goDemo.id, 'n2', {slot: 2, addresses: [on('net-ingress', '10.255.0.6'), on('net-proxy', '10.0.1.6'), on('net-gone', '10.9.0.6')]}),
  taskOf('t-demo-1', goDemo.id, 'n1', {slot: 1, addresses: [on('net-ingress', '10.255.0.5'), on('net-proxy', '10.0.1.5')]}),
  taskOf('t-demo-3', goDemo.id, '', {slot: 3, state: 'pending', error: 'no suitable node (insufficient resources on 2 nodes)', containerId: undefined}),
]
const proxy = serviceOf('svc-proxy-9876543210', 'proxy', {image: 'dockerflow/docker-flow-proxy:latest', replicas: 2, networks: [{id: 'net-proxy', vip: '10.0.1.30'}]})
const heldRoute = () => liveService('go-demo', [liveDest({ServicePath: ['/demo'], Port: '8080'})])

interface World {
  services?: ServiceSummary[]
  tasks?: TaskSummary[]
  /** What each replica's config?type=json answers: its routes, or a status and body. */
  replicas?: (Record<string, unknown> | {status: number; body: string})[]
}

describe('inspect/service', () => {
  const servers: FakeProxyApi[] = []
  asInCi()
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  async function world(w: World = {}) {
    const answers = w.replicas ?? [{'go-demo': heldRoute()}, {'go-demo': heldRoute()}]
    const apis = await Promise.all(
      answers.map(async (answer, i) => {
        const api = await serveProxyApi(nodes[i].address, 'status' in answer && 'body' in answer ? () => answer as {status: number; body: string} : answer)
        servers.push(api)
        return api
      }),
    )
    const proxyTasks = apis.map((api, i) => taskOf(`t-proxy-${i + 1}`, proxy.id, nodes[i].id, {slot: i + 1, image: proxy.image, addresses: [on('net-proxy', `10.0.1.${31 + i}`)], publishedPorts: [apiPort(api.port)]}))
    const tasks = [...(w.tasks ?? goDemoTasks), ...proxyTasks]
    const asked: string[] = []
    const engine = fakeEngine({
      listNodes: async () => nodes,
      listNetworks: async () => networks,
      listServices: async () => w.services ?? [goDemo, proxy],
      async listTasks(filter = {}) {
        asked.push(JSON.stringify(filter))
        return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
      },
    })
    return {cluster: fakeCluster(engine), apis, asked}
  }

  const requests = (apis: FakeProxyApi[]) => apis.map((a) => a.requests)

  describe('inspectService', () => {
    it('tells everything about a routed service: networks, VIPs, ports, tasks, labels, and each replica\'s route', async () => {
      const {cluster, apis} = await world({replicas: [{'go-demo': heldRoute()}, {}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection).to.deep.equal({
        name: 'go-demo',
        id: goDemo.id,
        image: 'swarmnet-lab/go-demo:latest',
        mode: 'replicated',
        replicas: 2,
        endpointMode: 'vip',
        networks: [
          {name: 'ingress', id: 'net-ingress', vip: '10.255.0.4', onProxyNetwork: false},
          {name: 'proxy', id: 'net-proxy', vip: '10.0.1.2', onProxyNetwork: true},
        ],
        ports: [{protocol: 'tcp', targetPort: 8080, publishedPort: 30080, publishMode: 'ingress'}],
        tasks: [
          {task: 'go-demo.1', id: 't-demo-1', node: 'node-1', state: 'running', desiredState: 'running', ips: {ingress: '10.255.0.5', proxy: '10.0.1.5'}},
          {task: 'go-demo.2', id: 't-demo-2', node: 'node-2', state: 'running', desiredState: 'running', ips: {ingress: '10.255.0.6', proxy: '10.0.1.6', 'net-gone': '10.9.0.6'}},
          {task: 'go-demo.3', id: 't-demo-3', node: '', state: 'pending', desiredState: 'running', error: 'no suitable node (insufficient resources on 2 nodes)', ips: {}},
          {task: 'go-demo.10', id: 't-demo-10', node: 'node-2', state: 'running', desiredState: 'running', ips: {proxy: '10.0.1.10'}},
        ],
        labels: {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.distribute': 'true'},
        route: {
          proxy: 'proxy',
          destinations: [{index: 0, paths: ['/demo'], port: '8080', domains: []}],
          replicas: {'proxy.1': 'live', 'proxy.2': 'missing'},
        },
        problems: ['route not as labelled on proxy.2 (missing): `swarmnet route sync`'],
      })
      expect(requests(apis)).to.deep.equal([['/v1/docker-flow-proxy/config?type=json'], ['/v1/docker-flow-proxy/config?type=json']])
    })

    it('says a replica holds the route differently from the labels', async () => {
      const {cluster} = await world({replicas: [{'go-demo': heldRoute()}, {'go-demo': liveService('go-demo', [liveDest({ServicePath: ['/demo'], Port: '9090'})])}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route.replicas).to.deep.equal({'proxy.1': 'live', 'proxy.2': 'differs'})
      expect(inspection.problems).to.deep.equal(['route not as labelled on proxy.2 (differs): `swarmnet route sync`'])
    })

    it('has no problem when every replica holds the route as labelled', async () => {
      const {cluster} = await world()
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route).to.deep.equal({proxy: 'proxy', destinations: [{index: 0, paths: ['/demo'], port: '8080', domains: []}], replicas: {'proxy.1': 'live', 'proxy.2': 'live'}})
      expect(inspection.problems).to.deep.equal([])
    })

    it('lists every destination of an indexed route', async () => {
      const labels = {'com.df.notify': 'true', 'com.df.servicePath.1': '/a,/b', 'com.df.port.1': '8080', 'com.df.serviceDomain.2': 'example.com', 'com.df.port.2': '9090'}
      const {cluster} = await world({services: [{...goDemo, labels}, proxy]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route.destinations).to.deep.equal([
        {index: 1, paths: ['/a', '/b'], port: '8080', domains: []},
        {index: 2, paths: ['/'], port: '9090', domains: ['example.com']},
      ])
      expect(inspection.route.replicas).to.deep.equal({'proxy.1': 'differs', 'proxy.2': 'differs'})
    })

    it('says "unknown" for a replica whose API fails, and does not count it as lacking the route', async () => {
      const {cluster} = await world({replicas: [{'go-demo': heldRoute()}, {status: 500, body: 'boom'}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route.replicas).to.deep.equal({'proxy.1': 'live', 'proxy.2': 'unknown'})
      expect(inspection.problems).to.deep.equal([])
    })

    it('without route labels, says which replicas hold a route to it anyway, and notes it', async () => {
      const {cluster} = await world({services: [{...goDemo, labels: {}}, proxy], replicas: [{'go-demo': heldRoute()}, {other: heldRoute()}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.labels).to.deep.equal({})
      expect(inspection.route).to.deep.equal({
        proxy: 'proxy', destinations: [], replicas: {'proxy.1': 'held', 'proxy.2': 'none'},
        note: 'the proxy holds a route to it that no label records (sent by hand?); `swarmnet route add` records one',
      })
      expect(inspection.problems).to.deep.equal([])
    })

    it('without route labels or a route, says none and notes nothing', async () => {
      const {cluster} = await world({services: [{...goDemo, labels: {'com.df.notify': 'false', 'com.df.port': '8080'}}, proxy], replicas: [{}, {status: 500, body: 'x'}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route).to.deep.equal({proxy: 'proxy', destinations: [], replicas: {'proxy.1': 'none', 'proxy.2': 'unknown'}})
      expect(inspection.labels).to.deep.equal({'com.df.notify': 'false', 'com.df.port': '8080'})
    })

    it('says a service that is not on the proxy\'s network cannot be reached by it', async () => {
      const {cluster} = await world({services: [{...goDemo, networks: [{id: 'net-app', vip: '10.0.2.2'}]}, proxy]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.networks).to.deep.equal([{name: 'app', id: 'net-app', vip: '10.0.2.2', onProxyNetwork: false}])
      expect(inspection.problems).to.deep.equal(["not on the proxy's network (proxy): the proxy cannot reach it"])
    })

    it('says when no task runs, after the route\'s problems', async () => {
      const tasks = [taskOf('t-demo-1', goDemo.id, 'n1', {slot: 1, state: 'starting'})]
      const {cluster} = await world({tasks, replicas: [{}, {}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.problems).to.deep.equal(['route not as labelled on proxy.1 (missing), proxy.2 (missing): `swarmnet route sync`', 'no running task'])
    })

    it('masks the com.df.users label (the route users\' hashes) in the labels it shows', async () => {
      const labels = {...ROUTE_LABELS, 'com.df.users': 'admin:$6$salt$hash,bob:$6$salt$other'}
      const {cluster} = await world({services: [{...goDemo, labels}, proxy]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.labels['com.df.users']).to.equal('admin:***,bob:***')
    })

    it('leaves out the replica count of a global service, and names its tasks by node', async () => {
      const global = {...goDemo, mode: 'global', replicas: undefined, labels: {}}
      const tasks = [taskOf('t-g-2', goDemo.id, 'n2', {addresses: [on('net-proxy', '10.0.1.6')]}), taskOf('t-g-1', goDemo.id, 'n1', {addresses: [on('net-proxy', '10.0.1.5')]})]
      const {cluster} = await world({services: [global, proxy], tasks, replicas: [{}, {}]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection).to.not.have.property('replicas')
      expect(inspection.mode).to.equal('global')
      expect(inspection.tasks.map((t) => t.task)).to.deep.equal(['go-demo.node-1', 'go-demo.node-2'])
    })

    it('notes that there is no proxy, and asks no replica', async () => {
      const {cluster, apis} = await world({services: [goDemo]})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route).to.deep.equal({destinations: [], replicas: {}, note: 'no proxy service in this swarm; start one with `swarmnet proxy up`, or name yours with --proxy NAME'})
      expect(inspection.networks.map((n) => n.onProxyNetwork)).to.deep.equal([false, false])
      expect(inspection.problems).to.deep.equal([])
      expect(requests(apis)).to.deep.equal([[], []])
    })

    it('does not say there is no proxy when there are several it cannot choose between', async () => {
      const proxyA = {...proxy, id: 'svc-proxy-a', name: 'proxy-a'}
      const proxyB = {...proxy, id: 'svc-proxy-b', name: 'proxy-b'}
      const {cluster} = await world({services: [goDemo, proxyA, proxyB], replicas: []})
      const inspection = await inspectService(cluster, 'go-demo', {json: false})
      expect(inspection.route.note).to.not.equal('no proxy service in this swarm')
      expect(inspection.route.note).to.include('proxy-a')
    })

    it('fails on an unknown --proxy', async () => {
      const {cluster} = await world({replicas: []})
      const error = await fails(inspectService(cluster, 'go-demo', {proxy: 'nope', json: false}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('unknown proxy service "nope"; proxy services here: proxy')
    })

    it('takes --proxy by name', async () => {
      const other = {...proxy, id: 'svc-edge', name: 'edge', labels: {}}
      const {cluster} = await world({services: [goDemo, proxy, other]})
      const inspection = await inspectService(cluster, 'go-demo', {proxy: 'edge', json: false})
      expect(inspection.route.proxy).to.equal('edge')
      // The edge proxy has no task here.
      expect(inspection.route.replicas).to.deep.equal({})
    })

    it('notes that the service inspected is the proxy, and asks no replica', async () => {
      const {cluster, apis} = await world()
      const inspection = await inspectService(cluster, 'proxy', {json: false})
      expect(inspection.route).to.deep.equal({destinations: [], replicas: {}, note: 'this is the proxy'})
      expect(inspection.networks).to.deep.equal([{name: 'proxy', id: 'net-proxy', vip: '10.0.1.30', onProxyNetwork: true}])
      expect(inspection.tasks.map((t) => [t.task, t.node])).to.deep.equal([['proxy.1', 'node-1'], ['proxy.2', 'node-2']])
      expect(requests(apis)).to.deep.equal([[], []])
    })

    it('finds the service by id prefix', async () => {
      const {cluster} = await world()
      expect((await inspectService(cluster, 'svc-god', {json: false})).name).to.equal('go-demo')
    })

    it('refuses a bad or unknown SERVICE', async () => {
      // A bad one is refused by the command's check, before it connects.
      expect(() => checkServiceRef('go demo')).to.throw(UsageError, 'invalid SERVICE "go demo": expected a service name or id')
      const {cluster} = await world({replicas: []})
      const unknown = await fails(inspectService(cluster, 'nope', {json: false}))
      expect(unknown.message).to.equal('unknown service "nope"; the swarm\'s services are go-demo, proxy')
    })

    it('asks only for tasks meant to run (the proxy\'s all, since a replacement waits in "ready" for its restart delay)', async () => {
      const {cluster, asked} = await world()
      await inspectService(cluster, 'go-demo', {json: false})
      expect(asked).to.deep.equal([`{"service":"${goDemo.id}","desiredState":"running"}`, `{"service":"${proxy.id}"}`])
    })
  })
})
