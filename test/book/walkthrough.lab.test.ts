import {expect} from 'chai'

import {swarmnet} from '../helpers/cli.js'
import {LAB_NODES, docker, eventually, labVars, nodeIp, nodeSocket, removeServicesAndNetworks} from '../helpers/lab.js'

const API = '/v1/docker-flow-proxy'

/**
 * The book's chapter on the lab: an overlay network, go-demo on it, the proxy, one reconfigure
 * call, and then every node answers /demo/hello through the proxy. Without IPVS the proxy publishes
 * in host mode on every node (global) and go-demo is reached by DNS round-robin (dnsrr).
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

  it('swarmnet network create proxy', async () => {
    const result = await swarmnet(['network', 'create', 'proxy', '--json'], {env})
    expect(result.code, result.stderr || result.stdout).to.equal(0)
    expect(result.json).to.deep.include({name: 'proxy', driver: 'overlay'})
  })

  it('go-demo and the proxy run on the proxy network', async function () {
    this.timeout(120_000)
    const goDemo = await docker(['service', 'create', '-d', '--name', 'go-demo', '--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '2', 'swarmnet-lab/go-demo'], env)
    expect(goDemo.code, goDemo.stderr).to.equal(0)
    const proxy = await docker(['service', 'create', '-d', '--name', 'proxy', '--network', 'proxy', '--mode', 'global', '-e', 'SERVICE_NAME=proxy',
      '--publish', 'mode=host,target=80,published=80', '--publish', 'mode=host,target=8080,published=8080', 'swarmnet-lab/proxy'], env)
    expect(proxy.code, proxy.stderr).to.equal(0)
    await eventually('every proxy replica answers ping', async () => {
      const answers = await Promise.all(LAB_NODES.map((n) => fetch(`http://${nodeIp(n)}:8080${API}/ping`).then((r) => r.status)))
      return answers.every((status) => status === 200)
    }, 90_000)
    await eventually('go-demo running twice', async () => {
      const ps = await docker(['service', 'ps', 'go-demo', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'], env)
      return ps.stdout.split('\n').filter((s) => s.startsWith('Running')).length === 2
    })
  })

  it('the reconfigure call of the book answers Status OK, distributed to every replica', async function () {
    this.timeout(60_000)
    const response = await fetch(`http://${nodeIp('node-1')}:8080${API}/reconfigure?serviceName=go-demo&servicePath=/demo&port=8080&distribute=true`)
    const body = JSON.parse(await response.text())
    expect(response.status, JSON.stringify(body)).to.equal(200)
    expect(body).to.deep.include({Status: 'OK', Message: 'Distributed to all instances', ServiceName: 'go-demo'})
  })

  it('curl http://<every node>/demo/hello answers hello, world!, served by a go-demo container', async function () {
    this.timeout(60_000)
    const containers = new Set<string>()
    for (const node of LAB_NODES) {
      for (const node2 of LAB_NODES) {
        const ids = (await docker(['-H', nodeSocket(node2), 'ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=go-demo'])).stdout.trim()
        for (const id of ids.split('\n').filter(Boolean)) containers.add(id.slice(0, 12))
      }

      const response = await fetch(`http://${nodeIp(node)}/demo/hello`)
      expect(response.status, node).to.equal(200)
      expect(await response.text()).to.equal('hello, world!')
      expect(containers.has(response.headers.get('x-served-by') ?? ''), `${node} served by ${response.headers.get('x-served-by')}`).to.equal(true)
      expect((await fetch(`http://${nodeIp(node)}/nothing-here`)).status).to.equal(503)
    }
  })

  it('every proxy replica wrote the route into /cfg/haproxy.cfg with docker-flow-proxy naming', async () => {
    for (const node of LAB_NODES) {
      const id = (await docker(['-H', nodeSocket(node), 'ps', '-q', '--filter', 'label=com.docker.swarm.service.name=proxy'])).stdout.trim()
      const cfg = (await docker(['-H', nodeSocket(node), 'exec', id, 'cat', '/cfg/haproxy.cfg'])).stdout
      expect(cfg, node).to.match(/^\s*acl url_go-demo8080_0 path_beg \/demo$/m)
      expect(cfg, node).to.match(/^\s*use_backend go-demo-be8080_0 if url_go-demo8080_0$/m)
      expect(cfg, node).to.match(/^backend go-demo-be8080_0$/m)
      expect(cfg, node).to.match(/^\s*server go-demo go-demo:8080\b/m)
    }
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
