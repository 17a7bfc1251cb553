import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, eventually, labVars, nodeIp, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, proxyContainers, replicaRoutes, running, serviceLabels, taskIds, throughProxy} from '../../helpers/proxy-lab.js'

/**
 * The book's steps 3 and 4 as swarmnet commands, on a 3-node lab, twice: with the proxy's API not
 * published (the default: swarmnet reaches each replica over SSH to its node, forwarded to the
 * container's docker_gwbridge address), and with --publish-api in host mode (swarmnet talks to each
 * replica's port). The same tests pass both ways.
 */
for (const [mode, flags, via] of [
  ['API not published (the default)', [], 'ssh-tunnel'],
  ['API published in host mode (--publish-api)', ['--publish-api'], 'published-port'],
] as const) {
  describe(`swarmnet proxy up / route add / ls / sync / rm, ${mode}`, function () {
    this.timeout(180_000)
    let env: Record<string, string | undefined>

    before(async () => {
      env = await labVars()
      await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
      await ok(['proxy', 'up', ...flags, '--json'], env)
      await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '2'])
      await running('go-demo', 2)
    })
    after(async () => removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy']))

    it('route add go-demo /demo 8080: every replica holds it, read back, and every node answers /demo/hello', async () => {
      const tasksBefore = await taskIds('go-demo')
      const result = await ok(['route', 'add', 'go-demo', '/demo', '8080', '--json'], env)
      expect(result.replicas).to.have.length(3)
      for (const row of result.replicas) expect(row).to.deep.include({result: 'ok', via})
      // The SSH path names the node's SSH server and the container's own address on docker_gwbridge.
      if (via === 'ssh-tunnel') for (const row of result.replicas) expect(row.target).to.match(new RegExp(`^ssh://root@${nodeIp(row.node).replaceAll('.', '\\.')}:22 -> 172\\.\\d+\\.\\d+\\.\\d+:8080 on docker_gwbridge$`))
      expect(result.replicas.map((r: {node: string}) => r.node)).to.deep.equal(LAB_NODES)
      const held = await replicaRoutes()
      for (const node of LAB_NODES) expect(held[node]['go-demo'].ServiceDest?.[0]).to.deep.include({ServicePath: ['/demo'], Port: '8080'})
      for (const node of LAB_NODES) {
        const answer = await throughProxy(node, '/demo/hello')
        expect(answer, node).to.deep.include({status: 200, body: 'hello, world!'})
      }

      // Recorded on the service as the swarm listener's labels, without restarting its tasks.
      expect(await serviceLabels('go-demo')).to.deep.include({'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080'})
      expect(await taskIds('go-demo')).to.deep.equal(tasksBefore)
    })

    it('route ls: the route is live on every replica', async () => {
      const listing = await ok(['route', 'ls', '--json'], env)
      const route = listing.routes.find((r: {service: string}) => r.service === 'go-demo')
      expect(route.destinations).to.deep.equal([{index: 0, paths: ['/demo'], port: '8080', domains: [], reqMode: 'http'}])
      expect(Object.values(route.replicas)).to.deep.equal(['live', 'live', 'live'])
      expect(listing.unlabelled).to.deep.equal([])
    })

    it('proxy status: every replica answers, holds 1 route, and they agree', async () => {
      const status = await ok(['proxy', 'status', '--json'], env)
      expect(status.replicas.map((r: {node: string; api: string; routes: number; state: string}) => [r.node, r.state, r.api, r.routes])).to.deep.equal(LAB_NODES.map((n) => [n, 'running', 'ok', 1]))
      expect(status.agree).to.equal(true)
    })

    it('a killed replica comes back empty: route ls shows it missing, route sync restores it, nothing else is sent', async () => {
      const victim = (await proxyContainers()).find((c) => c.node === 'node-2')!
      await onNode('node-2', ['kill', victim.id])
      await eventually('Swarm replaces the proxy task on node-2', async () => {
        const now = (await proxyContainers()).find((c) => c.node === 'node-2')
        if (!now || now.id === victim.id) return false
        const routes = await replicaRoutes().catch(() => undefined)
        return routes !== undefined && routes['node-2'] !== undefined
      }, 90_000)
      // route ls says so and exits 1: all three read, one lacks the route.
      const ls = await swarmnet(['route', 'ls', '--json'], {env})
      expect(ls.code, ls.stderr).to.equal(1)
      const listing = ls.json.error.details
      expect(listing).to.include({read: 3, desired: 3, agree: false})
      expect(ls.json.error.message).to.equal("the proxy's replicas are not all in step: go-demo: missing on proxy.node-2")
      const states = listing.routes.find((r: {service: string}) => r.service === 'go-demo').replicas
      expect(states).to.deep.equal({'proxy.node-1': 'live', 'proxy.node-2': 'missing', 'proxy.node-3': 'live'})
      const status = await ok(['proxy', 'status', '--json'], env)
      expect(status.agree).to.equal(false)
      expect(status.differences).to.deep.equal(['go-demo: missing on proxy.node-2'])

      const sync = await ok(['route', 'sync', '--json'], env)
      // The replacement reports its host-mode port only once Swarm calls it running (after its healthcheck): until then it is reached over SSH.
      const vias = sync.replicas.map((r: {via: string}) => r.via)
      expect([vias[0], vias[2]]).to.deep.equal([via, via])
      expect([via, 'ssh-tunnel']).to.include(vias[1])
      const byNode = Object.fromEntries(sync.replicas.map((r: {node: string; added: string[]; updated: string[]; unchanged: number}) => [r.node, [r.added, r.updated, r.unchanged]]))
      expect(byNode).to.deep.equal({'node-1': [[], [], 1], 'node-2': [['go-demo'], [], 0], 'node-3': [[], [], 1]})
      const held = await replicaRoutes()
      for (const node of LAB_NODES) expect(Object.keys(held[node]), node).to.deep.equal(['go-demo'])
      expect((await throughProxy('node-2', '/demo/hello')).status).to.equal(200)
      expect(await ok(['route', 'ls', '--json'], env)).to.include({read: 3, desired: 3, agree: true})
    })

    it('route add --port-index 2 adds a second route and keeps the first; --verify asks every node', async () => {
      await ok(['route', 'rm', 'go-demo', '--yes'], env)
      await ok(['route', 'add', 'go-demo', '/demo', '8080', '--port-index', '1'], env)
      const result = await ok(['route', 'add', 'go-demo', '/other,/more', '8080', '--port-index', '2', '--verify', '--verify-path', '/demo/hello', '--json'], env)
      expect(result.verify.map((v: {node: string; status: number; ok: boolean}) => [v.node, v.status, v.ok])).to.deep.equal(LAB_NODES.map((n) => [n, 200, true]))
      const held = await replicaRoutes()
      for (const node of LAB_NODES) {
        expect(held[node]['go-demo'].ServiceDest?.map((d) => d.ServicePath)).to.deep.equal([['/demo'], ['/other', '/more']])
      }

      expect(await serviceLabels('go-demo')).to.deep.include({'com.df.servicePath.1': '/demo', 'com.df.port.1': '8080', 'com.df.servicePath.2': '/other,/more', 'com.df.port.2': '8080'})
    })

    it('route add --users hashes the password: it is never printed, sent, stored or labelled in plain text', async () => {
      const result = await swarmnet(['route', 'add', 'go-demo', '/demo', '8080', '--users', 'admin:s3cret-pw', '--verbose'], {env})
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout + result.stderr).not.to.include('s3cret-pw')
      const labels = await serviceLabels('go-demo')
      expect(labels['com.df.users']).to.match(/^admin:\$6\$/)
      expect(labels['com.df.usersPassEncrypted']).to.equal('true')
      for (const node of LAB_NODES) {
        expect(JSON.stringify((await replicaRoutes())[node])).not.to.include('s3cret-pw')
        expect(await onNode(node, ['exec', (await proxyContainers()).find((c) => c.node === node)!.id, 'cat', '/cfg/haproxy.cfg'])).not.to.include('s3cret-pw')
      }

      const denied = await fetch(`http://10.213.0.11/demo/hello`)
      expect(denied.status).to.equal(401)
      const allowed = await fetch(`http://10.213.0.11/demo/hello`, {headers: {authorization: `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`}})
      expect(allowed.status).to.equal(200)
    })

    // The real proxy keeps a renamed route's backend under the old name (anchors §7.1); once that
    // backend's server no longer resolves, HAProxy would refuse every later change.
    it('route add --acl-name gd2 renames the route: no backend is left under the old name on any replica', async () => {
      await ok(['route', 'add', 'go-demo', '/demo', '8080', '--acl-name', 'gd2'], env)
      for (const {node, id} of await proxyContainers()) {
        const cfg = await onNode(node, ['exec', id, 'cat', '/cfg/haproxy.cfg'])
        expect(cfg.match(/^backend .*/gm), node).to.deep.equal(['backend gd2-be8080_0'])
      }

      for (const node of LAB_NODES) expect((await replicaRoutes())[node]['go-demo'].AclName, node).to.equal('gd2')
      expect((await throughProxy('node-1', '/demo/hello')).status).to.equal(200)
    })

    it('route rm: gone from every replica and from the labels (other com.df.* labels stay)', async () => {
      await onNode('node-1', ['service', 'update', '--detach', '--label-add', 'com.df.alertName=mem', 'go-demo'])
      const result = await ok(['route', 'rm', 'go-demo', '--yes', '--json'], env)
      expect(result.replicas.map((r: {result: string}) => r.result)).to.deep.equal(['ok', 'ok', 'ok'])
      const held = await replicaRoutes()
      for (const node of LAB_NODES) expect(held[node], node).to.deep.equal({})
      const labels = await serviceLabels('go-demo')
      expect(Object.keys(labels).filter((k) => k.startsWith('com.df.'))).to.deep.equal(['com.df.alertName'])
      expect((await throughProxy('node-1', '/demo/hello')).status).to.equal(503)
    })
  })
}

describe('route sync with fifty services, the API reached over SSH (not published)', function () {
  this.timeout(600_000)
  let env: Record<string, string | undefined>
  const names = Array.from({length: 50}, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`)

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks(['proxy', ...names], ['proxy'])
    await ok(['proxy', 'up', '--json'], env)
    // Routes as a docker-flow-swarm-listener user writes them: service labels.
    for (const name of names) {
      await createService(name, ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--label', 'com.df.notify=true', '--label', `com.df.servicePath=/${name}`, '--label', 'com.df.port=8080'])
    }

    for (const name of names) await running(name, 1)
  })
  after(async () => removeServicesAndNetworks(['proxy', ...names], ['proxy']))

  it('puts all fifty on all three replicas, and a second sync sends nothing', async () => {
    const first = await ok(['route', 'sync', '--json'], env, 400_000)
    for (const replica of first.replicas) expect([replica.via, replica.added.length], replica.node).to.deep.equal(['ssh-tunnel', 50])
    const held = await replicaRoutes()
    for (const node of LAB_NODES) expect(Object.keys(held[node]).sort(), node).to.deep.equal(names)
    const second = await ok(['route', 'sync', '--json'], env)
    for (const replica of second.replicas) expect([replica.added, replica.updated, replica.unchanged], replica.node).to.deep.equal([[], [], 50])
  })
})
