import {expect} from 'chai'

import {swarmnet} from '../helpers/cli.js'
import {LAB_NODES, docker, eventually, labVars, nodeSocket, removeServicesAndNetworks} from '../helpers/lab.js'
import {proxyContainers, replicaFiles, throughProxy} from '../helpers/proxy-lab.js'

/**
 * The book's chapter on the lab, as swarmnet commands: `proxy up` (network and proxy), go-demo on
 * the proxy network, `route add go-demo /demo 8080`, then every node answers /demo/hello, and
 * `inspect cfg` reads the route back from every replica's haproxy.cfg.
 * Without IPVS the proxy runs on every node publishing in host mode, and go-demo is reached by DNS
 * round-robin (dnsrr).
 */
describe('the book, on the lab', () => {
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(120_000)
    env = await labVars()
    await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
  })
  after(async function () {
    this.timeout(120_000)
    await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
  })

  it('step 3: swarmnet proxy up creates the proxy network and the proxy, and waits until every replica answers', async function () {
    this.timeout(120_000)
    const result = await swarmnet(['proxy', 'up', '--json'], {env, timeoutMs: 120_000})
    expect(result.code, result.stderr || result.stdout).to.equal(0)
    expect(result.json).to.deep.include({action: 'created', network: {name: 'proxy', created: true}, running: 3, desired: 3})
    for (const node of LAB_NODES) expect((await throughProxy(node, '/demo/hello')).status, node).to.equal(503)
  })

  it('go-demo runs on the proxy network', async function () {
    this.timeout(120_000)
    const goDemo = await docker(['service', 'create', '-d', '--name', 'go-demo', '--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '2', 'swarmnet-lab/go-demo'], env)
    expect(goDemo.code, goDemo.stderr).to.equal(0)
    await eventually('go-demo running twice', async () => {
      const ps = await docker(['service', 'ps', 'go-demo', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'], env)
      return ps.stdout.split('\n').filter((s) => s.startsWith('Running')).length === 2
    })
  })

  it('step 4: swarmnet route add go-demo /demo 8080 puts the route on every replica', async function () {
    this.timeout(60_000)
    const result = await swarmnet(['route', 'add', 'go-demo', '/demo', '8080'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/^go-demo \/demo on proxy, 3 replica\(s\):$/m)
    for (const node of LAB_NODES) expect(result.stdout).to.match(new RegExp(`^${node} +proxy\\.${node} +ok$`, 'm'))
  })

  it('curl http://<every node>/demo/hello answers hello, world!, served by a go-demo container', async function () {
    this.timeout(60_000)
    const containers = new Set<string>()
    for (const node of LAB_NODES) {
      const ids = (await docker(['-H', nodeSocket(node), 'ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=go-demo'])).stdout.trim()
      for (const id of ids.split('\n').filter(Boolean)) containers.add(id.slice(0, 12))
    }

    for (const node of LAB_NODES) {
      const answer = await throughProxy(node, '/demo/hello')
      expect(answer, node).to.deep.include({status: 200, body: 'hello, world!'})
      expect(containers.has(answer.servedBy ?? ''), `${node} served by ${answer.servedBy}`).to.equal(true)
      expect((await throughProxy(node, '/nothing-here')).status).to.equal(503)
    }
  })

  it('step 5: every proxy replica wrote the route into /cfg/haproxy.cfg with docker-flow-proxy naming', async () => {
    expect((await proxyContainers()).map((c) => c.node)).to.deep.equal(LAB_NODES)
    for (const [node, cfg] of Object.entries(await replicaFiles())) {
      expect(cfg, node).to.match(/^\s*acl url_go-demo8080_0 path_beg \/demo$/m)
      expect(cfg, node).to.match(/^\s*use_backend go-demo-be8080_0 if url_go-demo8080_0$/m)
      expect(cfg, node).to.match(/^backend go-demo-be8080_0$/m)
      expect(cfg, node).to.match(/^\s*server go-demo go-demo:8080$/m)
    }
  })

  it('step 5: swarmnet inspect cfg reads the route back from every replica\'s haproxy.cfg, identical on all', async function () {
    this.timeout(60_000)
    const result = await swarmnet(['inspect', 'cfg'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/^proxy: 3 of 3 replica\(s\) read, identical$/m)
    expect(result.stdout).to.match(/^services +path_beg \/demo +go-demo-be8080_0 +go-demo:8080 +go-demo:8080$/m)
  })

  it('swarmnet network inspect proxy shows both services and their tasks on the overlay', async () => {
    const result = await swarmnet(['network', 'inspect', 'proxy', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const byName = Object.fromEntries(result.json.services.map((s: {name: string; tasks: unknown[]; endpointMode: string}) => [s.name, s]))
    expect(byName['go-demo'].endpointMode).to.equal('dnsrr')
    expect(byName['go-demo'].tasks).to.have.length(2)
    expect(byName.proxy.tasks).to.have.length(3)
  })
})
