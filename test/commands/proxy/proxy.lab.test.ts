import {expect} from 'chai'
import net from 'node:net'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, docker, eventually, labVars, nodeIp, nodeSocket, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, replicaRoutes, running} from '../../helpers/proxy-lab.js'

/** What connecting to host:port from here gives: 'connected', or the error code (ECONNREFUSED). */
async function connectTo(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({host, port})
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

async function inspect(name: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(await onNode('node-1', ['service', 'inspect', name]))[0]
}

/**
 * A rolling update of the global proxy replaces one task per node in turn; on a loaded machine that
 * has taken over two minutes. Longer than swarmnet's own --wait-timeout (2m) plus its API check, so a
 * stuck update ends in swarmnet's error naming the tasks, not in this harness killing it.
 */
const UPDATE_MS = 300_000

describe('swarmnet proxy up / status / down', function () {
  this.timeout(600_000)
  let env: Record<string, string | undefined>
  const services = ['proxy', 'px', 'proxy-2', 'go-demo']

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks(services, ['proxy', 'pxnet'])
  })
  after(async () => removeServicesAndNetworks(services, ['proxy', 'pxnet']))

  describe('fails with the tasks own errors, and says what it left', () => {
    afterEach(async () => removeServicesAndNetworks(['px'], ['pxnet']))

    it('an image that cannot be pulled', async () => {
      const result = await swarmnet(['proxy', 'up', '--name', 'px', '--network', 'pxnet', '--image', 'nosuch/proxy:1', '--wait-timeout', '6s'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr.trimEnd().split('\n').at(-1)).to.match(/^Error: proxy px not running after 6s: .*No such image: nosuch\/proxy:1.*; the service is left as it is for a look \(`docker service ps px`\); `swarmnet proxy down` removes it$/)
    })

    it('no suitable node (a replicated proxy whose constraint no node meets)', async () => {
      const result = await swarmnet(['proxy', 'up', '--name', 'px', '--network', 'pxnet', '--replicas', '1', '--constraint', 'node.labels.proxy==yes', '--wait-timeout', '4s'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/Error: proxy px not running after 4s: 0\/1 tasks running; no suitable node \(scheduling constraints not satisfied on 3 nodes\)/)
    })

    it('no node at all (a global proxy whose constraint no node meets)', async () => {
      const result = await swarmnet(['proxy', 'up', '--name', 'px', '--network', 'pxnet', '--constraint', 'node.labels.proxy==yes', '--wait-timeout', '3s'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr).to.include('no node satisfies its placement constraints (node.labels.proxy==yes)')
    })
  })

  it('creates the network and the service the book describes, on every node in host mode (no IPVS here), and says why; the API is not published', async () => {
    const result = await swarmnet(['proxy', 'up', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const up = result.json
    expect(up).to.deep.include({service: 'proxy', action: 'created', network: {name: 'proxy', created: true}, running: 3, desired: 3, mode: 'global', image: 'swarmnet-lab/proxy:latest'})
    expect(up.defaultsReason).to.match(/no IPVS/)
    expect(up.api).to.deep.equal({port: 8080, published: 'no'})
    expect(up.warnings).to.deep.equal([])
    expect(up.entryPoints.filter((p: {targetPort: number}) => p.targetPort === 80).map((p: {address: string; mode: string}) => [p.address, p.mode])).to.deep.equal(LAB_NODES.map((n) => [nodeIp(n), 'host']))

    const service = await inspect('proxy')
    expect(service.Spec.TaskTemplate.ContainerSpec.Env).to.have.members(['MODE=swarm', 'SERVICE_NAME=proxy'])
    expect(service.Spec.Labels).to.deep.equal({'org.swarmnet.proxy': 'true'})
    expect(service.Spec.Mode).to.deep.equal({Global: {}})
    expect(service.Spec.EndpointSpec.Ports.map((p: {TargetPort: number; PublishedPort: number; PublishMode: string}) => [p.TargetPort, p.PublishedPort, p.PublishMode])).to.deep.equal([[80, 80, 'host'], [443, 443, 'host']])
    const network = JSON.parse(await onNode('node-1', ['network', 'inspect', 'proxy']))[0]
    expect(network).to.deep.include({Driver: 'overlay', Attachable: true})
    // The book's -p 8080:8080 is gone: nothing answers on any node's 8080, yet every replica's API does, over SSH.
    for (const node of LAB_NODES) expect(await connectTo(nodeIp(node), 8080), node).to.equal('ECONNREFUSED')
    for (const node of LAB_NODES) expect(await connectTo(nodeIp(node), 80), node).to.equal('connected')
    const status = await ok(['proxy', 'status', '--json'], env)
    expect(status.replicas.map((r: {node: string; api: string; via: string}) => [r.node, r.api, r.via])).to.deep.equal(LAB_NODES.map((n) => [n, 'ok', 'ssh-tunnel']))
    expect(status.warnings).to.deep.equal([])
  })

  it('a second run reports the running proxy and changes nothing', async () => {
    const before = (await inspect('proxy')).Version.Index
    const up = await ok(['proxy', 'up', '--json'], env)
    expect(up).to.deep.include({action: 'running', changes: [], running: 3})
    expect((await inspect('proxy')).Version.Index).to.equal(before)
    const human = await swarmnet(['proxy', 'up'], {env})
    expect(human.stdout).to.match(/^Proxy proxy already running as asked: 3\/3 tasks running \(global, swarmnet-lab\/proxy:latest\)\.$/m)
    // The live view of tasks per node goes to stderr (never under --json).
    expect(human.stderr).to.equal('proxy: 3/3 running  [node-1 1/1  node-2 1/1  node-3 1/1]\n')
    expect(human.stdout).to.match(/^node-2 +10\.213\.0\.12 +80, 443 +host$/m)
  })

  it('a different spec is shown as a difference and applied only with --update', async () => {
    const before = await inspect('proxy')
    const differs = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--json'], env)
    expect(differs.action).to.equal('differs')
    expect(differs.changes).to.deep.equal([{field: 'env', current: 'MODE=swarm, SERVICE_NAME=proxy', wanted: 'DEBUG=true, MODE=swarm, SERVICE_NAME=proxy'}])
    expect((await inspect('proxy')).Version.Index).to.equal(before.Version.Index)

    const updated = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--update', '--json'], env, UPDATE_MS)
    expect(updated).to.deep.include({action: 'updated', running: 3, desired: 3})
    expect((await inspect('proxy')).Spec.TaskTemplate.ContainerSpec.Env).to.include('DEBUG=true')
    // Every replica was replaced by one with the new spec, and answers.
    const tasks = JSON.parse((await docker(['-H', nodeSocket('node-1'), 'inspect', ...(await onNode('node-1', ['service', 'ps', '-q', '--filter', 'desired-state=running', 'proxy'])).trim().split('\n')])).stdout)
    for (const task of tasks) expect(task.Spec.ContainerSpec.Env).to.include('DEBUG=true')
  })

  it('a second proxy on the same host ports fails with the scheduler\'s words', async () => {
    try {
      const result = await swarmnet(['proxy', 'up', '--name', 'proxy-2', '--wait-timeout', '4s'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/Error: proxy proxy-2 not running after 4s: 0\/3 tasks running; host-mode port already in use on \d node/)
    } finally {
      await removeServicesAndNetworks(['proxy-2'], [])
    }
  })

  it('offers to sync labelled routes onto replicas that lack them; --sync does it', async () => {
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--label', 'com.df.notify=true', '--label', 'com.df.servicePath=/demo', '--label', 'com.df.port=8080'])
    await running('go-demo', 1)
    const offered = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--json'], env)
    expect(offered.routes).to.deep.equal({missing: 1, replicasMissing: ['proxy.node-1', 'proxy.node-2', 'proxy.node-3']})
    const human = await swarmnet(['proxy', 'up', '--env', 'DEBUG=true'], {env})
    expect(human.stdout).to.include('1 labelled route(s) are missing on proxy.node-1, proxy.node-2, proxy.node-3: run `swarmnet route sync`.')
    const synced = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--sync', '--json'], env)
    expect(synced.routes.sync.replicas.map((r: {added: string[]}) => r.added)).to.deep.equal([['go-demo'], ['go-demo'], ['go-demo']])
    for (const [node, routes] of Object.entries(await replicaRoutes())) expect(Object.keys(routes), node).to.deep.equal(['go-demo'])
  })

  it('--publish-api opens the API on each node, and proxy up, proxy status and doctor warn, naming the addresses; without it, --update closes it', async () => {
    const addresses = LAB_NODES.map((n) => `${nodeIp(n)}:8080`)
    const opened = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--publish-api', '--update', '--json'], env, UPDATE_MS)
    expect(opened.api).to.deep.equal({port: 8080, published: 'host'})
    expect(opened.warnings).to.have.length(1)
    expect(opened.warnings[0]).to.deep.include({code: 'proxy-api-published', service: 'proxy', port: 8080, publishMode: 'host', addresses})
    expect(opened.warnings[0].message).to.include(`published with no authentication on ${addresses.join(', ')}`)
    for (const node of LAB_NODES) expect((await fetch(`http://${nodeIp(node)}:8080/v1/docker-flow-proxy/ping`)).status, node).to.equal(200)
    const human = await swarmnet(['proxy', 'up', '--env', 'DEBUG=true', '--publish-api'], {env})
    expect(human.stdout).to.include(`Warning: proxy's API (port 8080) is published with no authentication on ${addresses.join(', ')}`)

    const status = await ok(['proxy', 'status', '--json'], env)
    expect(status.warnings.map((w: {addresses: string[]}) => w.addresses)).to.deep.equal([addresses])
    expect(status.replicas.map((r: {via: string}) => r.via)).to.deep.equal(['published-port', 'published-port', 'published-port'])
    // doctor fails here anyway (no IPVS on this kernel): its JSON is the error's details.
    const doctor = await swarmnet(['doctor', '--json'], {env, timeoutMs: 120_000})
    const report = doctor.json.error?.details ?? doctor.json
    expect(report.warnings.map((w: {service: string; addresses: string[]}) => [w.service, w.addresses])).to.deep.equal([['proxy', addresses]])

    const closed = await ok(['proxy', 'up', '--env', 'DEBUG=true', '--update', '--json'], env, UPDATE_MS)
    expect([closed.api.published, closed.warnings]).to.deep.equal(['no', []])
    for (const node of LAB_NODES) expect(await connectTo(nodeIp(node), 8080), node).to.equal('ECONNREFUSED')
  })

  it('proxy down asks first: without a terminal it needs --yes, and changes nothing', async () => {
    const result = await swarmnet(['proxy', 'down'], {env})
    expect(result.code).to.equal(2)
    expect(result.stderr).to.equal('Error: proxy down needs confirmation; pass --yes (no terminal to ask on)\n')
    await inspect('proxy')
  })

  it('proxy down --yes --network-too removes the service, and keeps a network another service still uses', async () => {
    const down = await ok(['proxy', 'down', '--yes', '--network-too', '--json'], env)
    expect(down).to.deep.equal({service: 'proxy', removed: true, networks: [{name: 'proxy', removed: false, reason: 'still used by go-demo'}]})
    expect((await docker(['-H', nodeSocket('node-1'), 'service', 'inspect', 'proxy'])).code).to.equal(1)
    await removeServicesAndNetworks(['go-demo'], [])
    await ok(['proxy', 'up', '--json'], env)
    const second = await ok(['proxy', 'down', '--yes', '--network-too', '--json'], env, 60_000)
    expect(second.networks).to.deep.equal([{name: 'proxy', removed: true}])
    // The manager removed it; the node drops its local copy once the last task is cleaned up.
    await eventually('network proxy gone from node-1', async () => (await docker(['-H', nodeSocket('node-1'), 'network', 'ls', '-q', '--filter', 'name=^proxy$'])).stdout.trim() === '')
  })
})
