import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {LAB_NODES, eventually, labVars, nodeSocket, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, proxyContainers, replicaFiles, running} from '../../helpers/proxy-lab.js'

/** The running task IPs of a service on a network, as the docker CLI reports them. */
async function taskIps(service: string, network: string): Promise<string[]> {
  const ids = (await onNode('node-1', ['service', 'ps', '-q', '--filter', 'desired-state=running', service])).trim().split('\n').filter(Boolean)
  const tasks = JSON.parse(await onNode('node-1', ['inspect', ...ids])) as {Status: {State: string}; NetworksAttachments: {Network: {Spec: {Name: string}}; Addresses: string[]}[]}[]
  const ips = tasks.filter((t) => t.Status.State === 'running').map((t) => t.NetworksAttachments.find((a) => a.Network.Spec.Name === network)!.Addresses[0].split('/')[0])
  return ips.sort((a, b) => a.localeCompare(b, undefined, {numeric: true}))
}

describe('swarmnet inspect cfg / inspect service / dns / map', function () {
  this.timeout(180_000)
  let env: Record<string, string | undefined>
  const services = ['proxy', 'go-demo', 'idle', 'lonely']

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    await removeServicesAndNetworks(services, ['proxy', 'elsewhere'])
    await ok(['proxy', 'up'], env)
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '3'])
    await createService('idle', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
    await ok(['network', 'create', 'elsewhere', '--attachable'], env)
    await createService('lonely', ['--network', 'elsewhere'])
    await running('go-demo', 3)
    await running('idle', 1)
    await ok(['route', 'add', 'go-demo', '/demo', '8080'], env)
    await ok(['route', 'add', 'idle', '/idle', '8080'], env)
  })
  after(async () => removeServicesAndNetworks(services, ['proxy', 'elsewhere']))

  describe('inspect cfg', () => {
    it('shows /demo going to the go-demo backend on every replica, and that they are identical', async () => {
      const result = await ok(['inspect', 'cfg', '--json'], env)
      expect(result.identical).to.equal(true)
      expect(result.replicas.map((r: {node: string}) => r.node)).to.deep.equal(LAB_NODES)
      for (const replica of result.replicas) {
        const demo = replica.config.routes.find((r: {backend: string}) => r.backend === 'go-demo-be8080_0')
        expect(demo.match.paths).to.deep.equal([{match: 'path_beg', flags: [], values: ['/demo']}])
        expect(demo.servers.map((s: {address: string}) => s.address)).to.deep.equal(['go-demo:8080'])
        expect(demo.naming).to.deep.include({serviceName: 'go-demo', port: 8080, index: 0, generation: 'current'})
      }

      const human = await swarmnet(['inspect', 'cfg'], {env})
      expect(human.stdout).to.match(/^proxy: 3 of 3 replica\(s\) read, identical$/m)
      expect(human.stdout).to.match(/^services +path_beg \/demo +go-demo-be8080_0 +go-demo:8080 +go-demo:8080$/m)
    })

    it('--raw is byte for byte the file inside each container', async () => {
      const files = await replicaFiles()
      for (const node of LAB_NODES) {
        const raw = await swarmnet(['inspect', 'cfg', '--raw', '--node', node], {env})
        expect(raw.code, raw.stderr).to.equal(0)
        expect(raw.stdout, node).to.equal(files[node])
      }

      expect(files['node-1'].endsWith('\n'), 'the proxy writes no final newline').to.equal(false)
    })

    it('after a replica restarts without a sync, --check reports the drift and exits 1; after route sync it passes', async () => {
      const victim = (await proxyContainers()).find((c) => c.node === 'node-3')!
      await onNode('node-3', ['kill', victim.id])
      await eventually('a new proxy replica on node-3 answers', async () => {
        const now = (await proxyContainers()).find((c) => c.node === 'node-3')
        return now !== undefined && now.id !== victim.id && (await swarmnet(['inspect', 'cfg', '--node', 'node-3', '--json'], {env})).code === 0
      }, 90_000)
      const check = await swarmnet(['inspect', 'cfg', '--check'], {env})
      expect(check.code).to.equal(1)
      expect(check.stderr).to.equal('Error: the replicas\' files differ: proxy.node-1, proxy.node-2 | proxy.node-3\n')
      expect(check.stdout).to.include('go-demo-be8080_0 (if url_go-demo8080_0): missing on proxy.node-3')
      expect(check.stdout).to.match(/^--- proxy\.node-1$/m)
      expect(check.stdout).to.match(/^\+\+\+ proxy\.node-3$/m)
      expect(check.stdout).to.match(/^-backend go-demo-be8080_0$/m)
      await ok(['route', 'sync'], env)
      expect((await swarmnet(['inspect', 'cfg', '--check'], {env})).code).to.equal(0)
    })

    it('finds a replicated proxy task after it moved to another node', async () => {
      await removeServicesAndNetworks(['proxy'], [])
      await ok(['proxy', 'up', '--replicas', '1', '--update'], env)
      await ok(['route', 'sync'], env)
      const before = (await ok(['inspect', 'cfg', '--json'], env)).replicas[0].node
      await onNode('node-1', ['service', 'update', '--detach', '--constraint-add', `node.hostname!=${before}`, 'proxy'])
      await eventually('the proxy task runs elsewhere', async () => {
        const result = await swarmnet(['inspect', 'cfg', '--json'], {env})
        return result.code === 0 && result.json.replicas.length === 1 && result.json.replicas[0].node !== before
      }, 90_000)
      await ok(['route', 'sync'], env)
      const after = await ok(['inspect', 'cfg', '--json'], env)
      expect(after.replicas[0].config.routes.some((r: {backend: string}) => r.backend === 'go-demo-be8080_0')).to.equal(true)
      // Back to one replica per node for the rest.
      await removeServicesAndNetworks(['proxy'], [])
      await ok(['proxy', 'up', '--sync'], env)
    })

    it('a replica whose node cannot be reached is a failed row naming what was tried; the others are shown', async () => {
      const home = tempDir()
      try {
        const result = await swarmnet(['inspect', 'cfg', '-H', nodeSocket('node-1'), '--timeout', '3s'], {env: {HOME: home.dir}})
        expect(result.code).to.equal(1)
        expect(result.stdout).to.match(/^proxy\.node-1 \(node-1\) +\d+ bytes$/m)
        expect(result.stdout).to.match(/^proxy\.node-2 \(node-2\): cannot reach the engine of node node-2 \(10\.213\.0\.12\); tried config: no mapping in the swarmnet config file; machine: .*; ssh: .*; tcp: .*$/m)
        expect(result.stderr.trimEnd()).to.match(/^Error: 1 of 3 replica\(s\) read; not read: proxy\.node-2 on node-2 \(running: cannot reach the engine of node node-2 .*\); proxy\.node-3 on node-3 \(running: cannot reach the engine of node node-3 .*\)$/)
      } finally {
        home.remove()
      }
    })
  })

  describe('inspect service', () => {
    it('shows the endpoint mode, the tasks with their IPs, the route labels, and that every replica holds the route', async () => {
      const s = await ok(['inspect', 'service', 'go-demo', '--json'], env)
      expect(s).to.deep.include({name: 'go-demo', endpointMode: 'dnsrr', mode: 'replicated', replicas: 3})
      expect(s.networks).to.deep.equal([{name: 'proxy', id: s.networks[0].id, onProxyNetwork: true}])
      expect(s.tasks.map((t: {ips: {proxy: string}}) => t.ips.proxy).sort((a: string, b: string) => a.localeCompare(b, undefined, {numeric: true}))).to.deep.equal(await taskIps('go-demo', 'proxy'))
      expect(s.labels).to.deep.include({'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080'})
      expect(s.route.destinations).to.deep.equal([{index: 0, paths: ['/demo'], port: '8080', domains: []}])
      expect(s.route.replicas).to.deep.equal({'proxy.node-1': 'live', 'proxy.node-2': 'live', 'proxy.node-3': 'live'})
      expect(s.problems).to.deep.equal([])
    })

    it('names the problem of a service that is not on the proxy network', async () => {
      const s = await ok(['inspect', 'service', 'lonely', '--json'], env)
      expect(s.problems).to.deep.equal(["not on the proxy's network (proxy): the proxy cannot reach it"])
      expect(s.networks[0]).to.include({name: 'elsewhere', onProxyNetwork: false})
      expect(s.networks[0].vip).to.match(/^10\.\d+\.\d+\.\d+$/)
    })
  })

  describe('dns', () => {
    it('answers exactly the task IPs of a dnsrr service, for SERVICE and tasks.SERVICE, and follows a scale-up', async () => {
      const first = await ok(['dns', 'go-demo', '--json'], env)
      const ips = await taskIps('go-demo', 'proxy')
      expect(ips).to.have.length(3)
      expect(first.lookups.map((l: {name: string; answered: string[]}) => [l.name, l.answered])).to.deep.equal([['go-demo', ips], ['tasks.go-demo', ips]])
      expect(first.ok).to.equal(true)
      await onNode('node-1', ['service', 'scale', '--detach', 'go-demo=5'])
      await running('go-demo', 5)
      await eventually('dns follows the scale-up', async () => {
        const now = await swarmnet(['dns', 'go-demo', '--json'], {env})
        return now.code === 0 && now.json.lookups[1].answered.length === 5
      })
      const after = await ok(['dns', 'go-demo', '--from', 'node-3', '--json'], env)
      expect(after.from.node).to.equal('node-3')
      expect(after.lookups[1].answered).to.deep.equal(await taskIps('go-demo', 'proxy'))
    })

    it('resolves a VIP service to its VIP and tasks.SERVICE to its tasks, and says the VIP cannot answer here', async () => {
      const result = await ok(['dns', 'proxy', '--json'], env)
      expect(result.endpointMode).to.equal('vip')
      expect(result.lookups[0].answered).to.deep.equal([result.vip])
      expect(result.lookups[1].answered).to.deep.equal(await taskIps('proxy', 'proxy'))
      expect(result.notes).to.deep.equal([`the VIP ${result.vip} resolves but does not answer here: this kernel has no IPVS`])
    })

    it('asks from a short-lived helper when the node has no container on the network, and removes it', async () => {
      await onNode('node-1', ['service', 'update', '--detach', '--constraint-add', 'node.hostname!=node-2', 'lonely'])
      await eventually('lonely has left node-2', async () => (await onNode('node-2', ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=lonely'])).trim() === '')
      // Until its new task runs and node-2's DNS forgets the old one, dns rightly reports a stale entry.
      await eventually('lonely runs again, elsewhere', async () => /^Running/m.test(await onNode('node-1', ['service', 'ps', 'lonely', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'])))
      let result: any // eslint-disable-line @typescript-eslint/no-explicit-any
      await eventually('node-2 resolves lonely as the swarm says', async () => {
        const answer = await swarmnet(['dns', 'lonely', '--from', 'node-2', '--json'], {env})
        result = answer.json
        return answer.code === 0
      }, 30_000)
      expect(result.from).to.deep.include({node: 'node-2', helper: true})
      expect(result.from.container).to.match(/^helper from swarmnet-lab\/go-demo:latest \(\w{12}\)$/)
      expect(result.lookups[0].answered).to.deep.equal([result.vip])
      expect((await onNode('node-2', ['ps', '-aq', '--filter', 'label=org.swarmnet.helper'])).trim()).to.equal('')
    })
  })

  describe('map', () => {
    it('draws the book\'s setup: every node\'s entry point, the replicas, /demo → go-demo and its tasks', async () => {
      const map = await ok(['map', '--json'], env)
      expect(map.entryPoints.map((e: {address: string; ports: number[]; mode: string; replica: string}) => [e.address, e.ports, e.mode, e.replica])).to.deep.equal(
        LAB_NODES.map((n, i) => [`10.213.0.1${i + 1}`, [80, 443], 'host', `proxy.${n}`]),
      )
      const demo = map.routes.find((r: {key: string}) => r.key === 'go-demo#0')
      expect(demo).to.deep.include({service: 'go-demo', paths: ['/demo'], port: '8080', labelled: true, missingOn: []})
      expect(demo.heldBy).to.deep.equal(['proxy.node-1', 'proxy.node-2', 'proxy.node-3'])
      expect(map.services.find((s: {name: string}) => s.name === 'go-demo').tasks).to.have.length(5)
      expect(map.problems).to.deep.equal([])
      // The API is not published (proxy up's default): each replica was read over SSH to its node.
      expect(map.replicas.map((r: {task: string; via: string}) => [r.task, r.via])).to.deep.equal(LAB_NODES.map((n) => [`proxy.${n}`, 'ssh-tunnel']))
      const tree = await swarmnet(['map'], {env})
      expect(tree.stdout).to.include('proxy.node-1, proxy.node-2, proxy.node-3  (same routes)')
      expect(tree.stdout).to.match(/├─ \/demo → go-demo:8080/)
      const mermaid = await swarmnet(['map', '--format', 'mermaid'], {env})
      expect(mermaid.stdout.split('\n')[0]).to.equal('flowchart LR')
      expect(mermaid.stdout).to.include('r_proxy_node_1 --> route_go_demo_0')
      const dot = await swarmnet(['map', '--format', 'dot'], {env})
      expect(dot.stdout).to.match(/^digraph swarmnet \{/)
      expect(dot.stdout).to.include('route_go_demo_0 -> s_go_demo;')
    })

    it('marks a route to a service scaled to 0', async () => {
      await onNode('node-1', ['service', 'scale', '--detach', 'idle=0'])
      await eventually('idle has no task', async () => (await onNode('node-1', ['service', 'ps', '-q', '--filter', 'desired-state=running', 'idle'])).trim() === '')
      const map = await ok(['map', '--json'], env)
      expect(map.problems).to.deep.equal([{subject: 'idle', message: 'no running task: the proxy answers 503'}])
      const tree = await swarmnet(['map'], {env})
      expect(tree.stdout).to.match(/✗ idle \(0 tasks, dnsrr\) — no running task: the proxy answers 503/)
      const mermaid = await swarmnet(['map', '--format', 'mermaid'], {env})
      expect(mermaid.stdout).to.match(/^ {2}class .*s_idle.* problem$/m)
    })
  })

  describe('bad input', () => {
    const cases: {name: string; args: string[]; code: number; error: RegExp}[] = [
      {name: 'inspect service of an unknown service', args: ['inspect', 'service', 'nope'], code: 2, error: /^unknown service "nope"; the swarm's services are go-demo, idle, lonely, proxy$/},
      {name: 'dns of an unknown service', args: ['dns', 'nope'], code: 2, error: /^unknown service "nope"; the swarm's services are /},
      {name: 'dns on a network the service is not on', args: ['dns', 'go-demo', '--network', 'elsewhere'], code: 2, error: /^service go-demo is not on network "elsewhere"; it is on proxy$/},
      {name: 'dns --from an unknown node', args: ['dns', 'go-demo', '--from', 'node-9'], code: 2, error: /^unknown node "node-9"; the swarm's nodes are node-1, node-2, node-3$/},
      {name: 'inspect cfg --node where no replica runs', args: ['inspect', 'cfg', '--node', 'node-9'], code: 2, error: /^no proxy replica on node "node-9"; replicas: proxy\.node-1 /},
      {name: 'inspect cfg --task that matches none', args: ['inspect', 'cfg', '--task', 'zzzzzz'], code: 2, error: /^no single proxy replica matches task "zzzzzz"; replicas: /},
      {name: 'map --format png', args: ['map', '--format', 'png'], code: 2, error: /Expected --format=png to be one of: tree, svg, mermaid, dot/},
      {name: 'inspect cfg of an unknown --proxy', args: ['inspect', 'cfg', '--proxy', 'nope'], code: 2, error: /^unknown proxy service "nope"; proxy services here: proxy$/},
    ]
    for (const c of cases) {
      it(`${c.name}: exit ${c.code}`, async () => {
        const result = await swarmnet(c.args, {env})
        expect(result.code, result.stderr).to.equal(c.code)
        expect(result.stdout).to.equal('')
        const lines = result.stderr.trimEnd().split('\n')
        expect(lines, result.stderr).to.have.length(1)
        expect(lines[0].slice('Error: '.length)).to.match(c.error)
      })
    }

    it('no proxy running: inspect cfg and map say so, exit 1', async () => {
      await removeServicesAndNetworks(['proxy'], [])
      for (const args of [['inspect', 'cfg'], ['map']]) {
        const result = await swarmnet(args, {env})
        expect([result.code, result.stderr], args.join(' ')).to.deep.equal([1, 'Error: no proxy service in this swarm; start one with `swarmnet proxy up`, or name yours with --proxy NAME\n'])
      }
    })
  })
})
