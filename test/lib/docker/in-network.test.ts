import {expect} from 'chai'

import type {ContainerSummary, Engine, ExecOutput, NetworkSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError} from '../../../src/lib/core/errors.js'
import {HELPER_LABEL, inNetwork, outputText} from '../../../src/lib/docker/in-network.js'
import {fakeCluster} from '../../helpers/fake-cluster.js'
import {fakeEngine, node} from '../../helpers/fake-engine.js'

const NODE = node('n2', 'node-2', '192.0.2.12')
const PROBE = 'sh -c command -v nslookup >/dev/null'
const network = (name: string, attachable: boolean): NetworkSummary => ({
  id: `net-${name}`, name, driver: 'overlay', scope: 'swarm', attachable, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {},
})
const PROXY = network('proxy', false)
const APP = network('app', true)

/** A 64-hex container id whose first 12 characters say which it is. */
const cid = (short: string) => short.padEnd(12, '0') + 'f'.repeat(52)

function container(short: string, overrides: Partial<ContainerSummary> = {}): ContainerSummary {
  return {id: cid(short), name: short, image: 'swarmnet-lab/go-demo:latest', state: 'running', labels: {}, ...overrides}
}

interface NodeSetup {
  containers?: ContainerSummary[]
  /** Container ids (short) whose probe succeeds; helpers are named helper1, helper2, ... in start order. */
  hasTools?: string[]
  /** Short ids whose exec fails outright. */
  execFails?: string[]
  images?: string[]
  /** Images runHelper refuses, with the reason. */
  helperFails?: Record<string, string>
  removeFails?: boolean
}

function setup(s: NodeSetup = {}) {
  const log: string[] = []
  const helpers = new Map<string, string>()
  const short = (id: string) => id.slice(0, 12).replace(/0+$/, '')
  const engine: Engine = fakeEngine({
    target: 'fake://node-2',
    async listContainers(filter) {
      log.push(`listContainers ${JSON.stringify(filter)}`)
      return s.containers ?? []
    },
    async exec(id, command, options): Promise<ExecOutput> {
      log.push(`exec ${short(id)} ${command.join(' ')} ${JSON.stringify(options ?? {})}`)
      if (s.execFails?.includes(short(id))) throw new Error('container is restarting')
      if (command[0] === 'sh') return {exitCode: s.hasTools?.includes(short(id)) ? 0 : 127, stdout: Buffer.from(''), stderr: ''}
      return {exitCode: 0, stdout: Buffer.from(`ran ${command.join(' ')}`), stderr: ''}
    },
    async listImageTags() {
      log.push('listImageTags')
      return s.images ?? []
    },
    async runHelper(spec) {
      log.push(`runHelper ${JSON.stringify(spec)}`)
      const reason = s.helperFails?.[spec.image]
      if (reason) throw new Error(reason)
      const id = cid(`helper${helpers.size + 1}`)
      helpers.set(id, spec.image)
      return id
    },
    async removeContainer(id) {
      log.push(`removeContainer ${short(id)}`)
      if (s.removeFails) throw new Error('removal in progress')
    },
  })
  const cluster = fakeCluster(fakeEngine(), {n2: engine}, 3000)
  return {cluster, log, engine}
}

const fails = async (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('should have failed'),
    (error: Error) => error,
  )
const probes = (log: string[]) => log.filter((l) => l.includes(PROBE)).map((l) => l.split(' ')[1])
const started = (log: string[]) => log.filter((l) => l.startsWith('runHelper')).map((l) => JSON.parse(l.slice('runHelper '.length)).image)

describe('in-network: where to run a command inside an overlay', () => {
  describe('an attached container', () => {
    it('takes a running container attached to the network that has the tools, on the node asked for', async () => {
      const {cluster, log} = setup({containers: [container('godemo1', {labels: {'com.docker.swarm.task.name': 'go-demo.1.x8f0kz3mbb2v6vx0q1hxa1b2c'}})], hasTools: ['godemo1']})
      const place = await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})
      expect({node: place.node, container: place.container, helper: place.helper}).to.deep.equal({node: 'node-2', container: 'go-demo.1 (godemo100000)', helper: false})
      expect(cluster.asked).to.deep.equal(['n2'])
      expect(log).to.deep.equal(['listContainers {"network":"proxy"}', `exec godemo1 ${PROBE} {"timeoutMs":3000}`])
    })

    it('probes with `command -v` for every tool, joined with &&', async () => {
      const {cluster, log} = setup({containers: [container('a')], hasTools: ['a']})
      await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup', 'nc']})
      expect(log[1]).to.equal('exec a sh -c command -v nslookup >/dev/null && command -v nc >/dev/null {"timeoutMs":3000}')
    })

    it('skips swarmnet\'s own helpers and containers that are not running', async () => {
      const {cluster, log} = setup({
        containers: [
          container('helperold', {labels: {[HELPER_LABEL]: 'true'}}),
          container('exited', {state: 'exited'}),
          container('created', {state: 'created'}),
          container('good'),
        ],
        hasTools: ['helperold', 'exited', 'created', 'good'],
      })
      const place = await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})
      expect(place.container).to.equal('good (good00000000)')
      expect(probes(log)).to.deep.equal(['good'])
    })

    it('goes on to the next container when one lacks the tools or its exec fails', async () => {
      const {cluster, log} = setup({containers: [container('scratch'), container('broken'), container('alpine')], hasTools: ['alpine'], execFails: ['broken']})
      const place = await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})
      expect(place.container).to.equal('alpine (alpine000000)')
      expect(probes(log)).to.deep.equal(['scratch', 'broken', 'alpine'])
    })

    it('names a container without a task name by its container name', async () => {
      const {cluster} = setup({containers: [container('plain', {name: 'my-debug'})], hasTools: ['plain']})
      expect((await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})).container).to.equal('my-debug (plain0000000)')
    })

    it('keeps a task name that does not end in a task id as it is', async () => {
      const {cluster} = setup({containers: [container('global', {labels: {'com.docker.swarm.task.name': 'proxy.n2abc'}})], hasTools: ['global']})
      expect((await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})).container).to.equal('proxy.n2abc (global000000)')
    })

    it('tries at most 4 attached containers', async () => {
      const containers = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => container(c))
      const {cluster, log} = setup({containers, hasTools: ['c5']})
      const error = await fails(inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']}))
      expect(probes(log)).to.deep.equal(['c1', 'c2', 'c3', 'c4'])
      expect(error).to.be.instanceOf(SwarmnetError)
    })

    it('runs commands in the container it found, with the options given, and close() leaves it alone', async () => {
      const {cluster, log} = setup({containers: [container('good')], hasTools: ['good']})
      const place = await inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']})
      const output = await place.exec(['nslookup', 'go-demo'], {timeoutMs: 700})
      expect(output.stdout.toString()).to.equal('ran nslookup go-demo')
      expect(log.at(-1)).to.equal('exec good nslookup go-demo {"timeoutMs":700}')
      await place.close()
      expect(log.some((l) => l.startsWith('removeContainer'))).to.equal(false)
    })
  })

  describe('a helper', () => {
    it('refuses to start one on a network that is not attachable, and says what to do', async () => {
      const {cluster, log} = setup({containers: [container('scratch')], images: ['busybox:latest']})
      const error = await fails(inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup']}))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.equal(
        'no container on proxy on node-2 has nslookup, and proxy is not attachable, so no helper can join it; ask from another node, or create the network with --attachable',
      )
      expect(log).to.not.include('listImageTags')
    })

    it('names every tool in that message', async () => {
      const {cluster} = setup({})
      const error = await fails(inNetwork(cluster, {network: PROXY, node: NODE, tools: ['nslookup', 'nc']}))
      expect(error.message).to.match(/^no container on proxy on node-2 has nslookup and nc, and proxy is not attachable/)
    })

    it('starts one attached to the network, labelled, sleeping, from a preferred image present on the node', async () => {
      const {cluster, log} = setup({images: ['nginx:1.25', 'busybox:latest', 'swarmnet-lab/go-demo:latest'], hasTools: ['helper1']})
      const place = await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup'], preferImages: ['swarmnet-lab/go-demo:latest']})
      expect({node: place.node, container: place.container, helper: place.helper}).to.deep.equal({node: 'node-2', container: 'helper from swarmnet-lab/go-demo:latest (helper100000)', helper: true})
      expect(log).to.deep.equal([
        'listContainers {"network":"app"}',
        'listImageTags',
        `runHelper {"image":"swarmnet-lab/go-demo:latest","network":"app","command":["sleep","600"],"labels":{"${HELPER_LABEL}":"true"}}`,
        `exec helper1 ${PROBE} {"timeoutMs":3000}`,
      ])
    })

    it('removes the helper it used on close(), once, and ignores a failed removal', async () => {
      const {cluster, log} = setup({images: ['busybox:latest'], hasTools: ['helper1'], removeFails: true})
      const place = await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup']})
      await place.exec(['nslookup', 'x'])
      expect(log.at(-1)).to.equal('exec helper1 nslookup x {}')
      await place.close()
      expect(log.filter((l) => l.startsWith('removeContainer'))).to.deep.equal(['removeContainer helper1'])
    })

    it('tries images in order: preferred ones present (normalised), attached containers\' images, busybox/alpine/netshoot, then the rest; at most 4', async () => {
      const {cluster, log} = setup({
        containers: [container('nginx1', {image: 'nginx:1.25'})],
        images: ['redis:7', 'nginx:1.25', 'mybusybox:1', 'nicolaka/netshoot:latest', 'alpine:3.18', 'x/app:2', 'library/busybox:1.36'],
      })
      const error = await fails(inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup'], preferImages: ['x/app:2@sha256:0123abcd', 'missing:1']}))
      expect(started(log)).to.deep.equal(['x/app:2', 'nginx:1.25', 'nicolaka/netshoot:latest', 'alpine:3.18'])
      expect(error.message).to.equal(
        'nowhere to run nslookup on app on node-2: no attached container has it; helpers tried: x/app:2: no nslookup; nginx:1.25: no nslookup; nicolaka/netshoot:latest: no nslookup; alpine:3.18: no nslookup',
      )
    })

    it('takes the small images after the preferred ones, then the rest', async () => {
      const {cluster, log} = setup({images: ['redis:7', 'mybusybox:1', 'library/busybox:1.36', 'postgres:16'], hasTools: ['helper3']})
      const place = await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup'], preferImages: ['postgres:16']})
      expect(started(log)).to.deep.equal(['postgres:16', 'library/busybox:1.36', 'redis:7'])
      expect(place.container).to.equal('helper from redis:7 (helper300000)')
    })

    it('normalises a preferred "x" to "x:latest" (a registry port is no tag)', async () => {
      const {cluster, log} = setup({images: ['zzz:1', 'registry:5000/team/app:latest', 'myapp:latest'], hasTools: ['helper2']})
      await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup'], preferImages: ['myapp', 'registry:5000/team/app']})
      expect(started(log)).to.deep.equal(['myapp:latest', 'registry:5000/team/app:latest'])
    })

    it('drops the digest of a preferred image given by digest only, as "x:latest"', async () => {
      const {cluster, log} = setup({images: ['zzz:1', 'swarmnet-lab/go-demo:latest'], hasTools: ['helper1']})
      await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup'], preferImages: ['swarmnet-lab/go-demo@sha256:' + 'a'.repeat(64)]})
      expect(started(log)[0]).to.equal('swarmnet-lab/go-demo:latest')
    })

    it('removes each helper that lacks the tools before trying the next', async () => {
      const {cluster, log} = setup({images: ['a:1', 'b:1', 'c:1'], hasTools: ['helper3']})
      const place = await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup']})
      const events = log.filter((l) => /^(runHelper|removeContainer)/.test(l)).map((l) => (l.startsWith('runHelper') ? `run ${JSON.parse(l.slice(10)).image}` : l))
      expect(events).to.deep.equal(['run a:1', 'removeContainer helper1', 'run b:1', 'removeContainer helper2', 'run c:1'])
      expect(place.container).to.equal('helper from c:1 (helper300000)')
    })

    it('says why each helper failed, and removes nothing it did not start', async () => {
      const {cluster, log} = setup({images: ['a:1', 'b:1'], helperFails: {'a:1': 'No such image: a:1'}})
      const error = await fails(inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup', 'nc']}))
      expect(error.message).to.equal('nowhere to run nslookup and nc on app on node-2: no attached container has it; helpers tried: a:1: No such image: a:1; b:1: no nslookup/nc')
      expect(log.filter((l) => l.startsWith('removeContainer'))).to.deep.equal(['removeContainer helper1'])
    })

    it('says there was no image to make a helper from', async () => {
      const {cluster} = setup({images: []})
      const error = await fails(inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup']}))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.equal('nowhere to run nslookup on app on node-2: no attached container has it, and no image on the node to make a helper from')
    })

    it('prefers an attached container to a helper', async () => {
      const {cluster, log} = setup({containers: [container('good')], hasTools: ['good'], images: ['busybox:latest']})
      expect((await inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup']})).helper).to.equal(false)
      expect(log).to.not.include('listImageTags')
    })

    it('fails with the node engine\'s error when the node cannot be reached', async () => {
      const cluster = fakeCluster(fakeEngine(), {n2: new Error('cannot reach the engine of node node-2 (192.0.2.12); tried ...')})
      const error = await fails(inNetwork(cluster, {network: APP, node: NODE, tools: ['nslookup']}))
      expect(error.message).to.equal('cannot reach the engine of node node-2 (192.0.2.12); tried ...')
    })
  })

  describe('outputText', () => {
    it('puts stdout and stderr on one line', () => {
      expect(outputText({exitCode: 1, stdout: Buffer.from('a\n b\n'), stderr: 'c\td\n'})).to.equal('a b c d')
    })
  })
})
