import {expect} from 'chai'

import type {NetworkSummary, PortSpec, ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError} from '../../../src/lib/core/errors.js'
import type {LiveService} from '../../../src/lib/proxy/client.js'
import {listRoutes} from '../../../src/lib/route/ls.js'
import {type SyncResult, syncRoutes} from '../../../src/lib/route/sync.js'
import {type FakeProxyApi, apiPort, fakeCluster, serveProxyApi} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'
import {liveDest, liveService} from '../../helpers/fake-proxy-api.js'

const network = (id: string, name: string): NetworkSummary => ({id, name, driver: 'overlay', scope: 'swarm', attachable: true, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}})
// Loopback addresses of their own, where each node's replica API stand-in listens.
const nodes = [node('n1', 'node-1', '127.0.0.31', 'manager'), node('n2', 'node-2', '127.0.0.32'), node('n3', 'node-3', '127.0.0.33')]
const host = (port: number): PortSpec => ({protocol: 'tcp', targetPort: port, publishedPort: port, publishMode: 'host'})
const proxy = serviceOf('svc-proxy', 'proxy', {mode: 'global', replicas: undefined, image: 'swarmnet-lab/proxy:latest', networks: [{id: 'net-proxy'}]})
const goDemo = serviceOf('svc-godemo', 'go-demo', {networks: [{id: 'net-proxy'}], labels: {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080'}})
const DEMO = liveService('go-demo', [liveDest({ServicePath: ['/demo'], Port: '8080'})])

type Replica = 'holds' | 'empty' | 'replaced'

/**
 * A global proxy on three nodes whose replicas are stateful API stand-ins (reconfigure adds, config
 * reads back); a 'replaced' one is the measured replacement of a killed task: no container yet, waiting
 * in "ready", and Swarm's desired count shrunk to 2 meanwhile.
 */
describe('routes: every desired replica accounted for (route ls, route sync)', () => {
  const servers: FakeProxyApi[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  async function world(replicas: Replica[]) {
    const tasks: TaskSummary[] = [taskOf('t-demo', goDemo.id, 'n1', {slot: 1})]
    for (const [i, kind] of replicas.entries()) {
      if (kind === 'replaced') {
        tasks.push(taskOf(`t-old-${i + 1}`, proxy.id, nodes[i].id, {desiredState: 'shutdown', state: 'failed', error: 'task: non-zero exit (137)'}))
        tasks.push(taskOf(`t-proxy-${i + 1}`, proxy.id, nodes[i].id, {desiredState: 'ready', state: 'preparing', containerId: undefined}))
        continue
      }

      const live: Record<string, LiveService> = kind === 'holds' ? {'go-demo': DEMO} : {}
      const server = await serveProxyApi(nodes[i].address, (url) => {
        if (url.startsWith('/v1/docker-flow-proxy/reconfigure')) {
          live['go-demo'] = DEMO
          return {status: 200, body: JSON.stringify({Status: 'OK', Message: '', ...DEMO})}
        }

        return url === '/v1/docker-flow-proxy/config?type=json' ? {status: 200, body: JSON.stringify(live)} : {status: 404, body: '404 page not found\n'}
      })
      servers.push(server)
      tasks.push(taskOf(`t-proxy-${i + 1}`, proxy.id, nodes[i].id, {publishedPorts: [host(80), apiPort(server.port)]}))
    }

    const running = replicas.filter((r) => r !== 'replaced').length
    const engine = fakeEngine({
      listNodes: async () => nodes,
      listNetworks: async () => [network('net-proxy', 'proxy')],
      listServices: async (options) => [options?.status ? {...proxy, status: {running, desired: running}} : proxy, goDemo] as ServiceSummary[],
      async listTasks(filter = {}) {
        return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
      },
    })
    return fakeCluster(engine, {}, 2000)
  }

  describe('listRoutes', () => {
    it('agrees when every desired replica was read and holds the labelled route: 3 of 3', async () => {
      const listing = await listRoutes(await world(['holds', 'holds', 'holds']), {json: true, waitMs: 0})
      expect(listing).to.include({read: 3, desired: 3, agree: true})
      expect(listing.notRead).to.deep.equal([])
      expect(listing.problems).to.deep.equal([])
    })

    it('does not agree while a replica is being replaced, even though every replica read holds the route: 2 of 3, named', async () => {
      const listing = await listRoutes(await world(['holds', 'holds', 'replaced']), {json: true, waitMs: 0})
      expect(listing).to.include({read: 2, desired: 3, agree: false})
      expect(listing.notRead).to.deep.equal([{task: 'proxy.node-3', taskId: 't-proxy-3', node: 'node-3', state: 'preparing', reason: 'task is preparing'}])
      expect(listing.problems).to.deep.equal(['2 of 3 replica(s) read; not read: proxy.node-3 on node-3 (preparing: task is preparing)'])
      expect(listing.replicas.map((r) => [r.task, r.result, r.state])).to.deep.equal([['proxy.node-1', 'ok', 'running'], ['proxy.node-2', 'ok', 'running'], ['proxy.node-3', 'not running', 'preparing']])
    })

    it('does not agree when a replica read lacks the route', async () => {
      const listing = await listRoutes(await world(['holds', 'empty', 'holds']), {json: true, waitMs: 0})
      expect(listing).to.include({read: 3, desired: 3, agree: false})
      expect(listing.problems).to.deep.equal(['go-demo: missing on proxy.node-2'])
    })
  })

  describe('syncRoutes', () => {
    const input = {prune: false, dryRun: false, yes: false, json: true, concurrency: 4, waitMs: 0}

    it('puts the route on a replica that lacks it: 3 of 3 in step', async () => {
      const result = await syncRoutes(await world(['holds', 'empty', 'holds']), input)
      expect(result).to.include({synced: 3, desired: 3})
      expect(result.notSynced).to.deep.equal([])
      expect(result.replicas.map((r) => r.added)).to.deep.equal([[], ['go-demo'], []])
    })

    it('fails naming a replica still being replaced when the wait is over, with the counts', async () => {
      const error = await syncRoutes(await world(['empty', 'holds', 'replaced']), input).then(
        () => expect.fail('should have failed'),
        (error: SwarmnetError) => error,
      )
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.equal('route sync left replicas out of step (2 of 3 synced): node-3 (proxy.node-3): task is preparing')
      const result = error.details as SyncResult
      expect(result).to.include({synced: 2, desired: 3})
      expect(result.notSynced).to.deep.equal([{task: 'proxy.node-3', taskId: 't-proxy-3', node: 'node-3', state: 'preparing', reason: 'task is preparing'}])
      expect(result.replicas.map((r) => r.added)).to.deep.equal([['go-demo'], [], []])
    })
  })
})
