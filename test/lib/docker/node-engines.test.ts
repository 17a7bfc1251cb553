import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import type {Engine} from '../../../src/lib/docker/engine.js'
import {type Endpoint, formatEndpoint} from '../../../src/lib/docker/endpoint.js'
import {NodeEngines} from '../../../src/lib/docker/node-engines.js'
import {engineOverSsh} from '../../../src/lib/docker/connect.js'
import type {SshEndpoint, SshSession, SshSettings} from '../../../src/lib/ssh/ssh-client.js'
import {fakeEngine, infoOf, node} from '../../helpers/fake-engine.js'
import {tempDir, writeContext, writeMachine} from '../../helpers/fixtures.js'

describe('NodeEngines: per-node resolution order', () => {
  let tmp: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv
  const worker = node('id-2', 'node-2', '10.0.0.12')
  const manager = {
    resolved: {endpoint: {kind: 'tcp', host: '10.0.0.11', port: 2376, tls: {verify: true, dir: '/certs'}} as Endpoint, source: 'DOCKER_HOST'},
    engine: fakeEngine(),
    nodeId: async () => 'id-1',
  }

  beforeEach(() => {
    tmp = tempDir()
    env = {HOME: tmp.dir, DOCKER_CONFIG: path.join(tmp.dir, 'docker'), MACHINE_STORAGE_PATH: path.join(tmp.dir, 'machine')}
  })
  afterEach(() => tmp.remove())

  /** Engines that answer as `who` answers for each target; records the order tried. */
  function opener(who: Record<string, string | Error>) {
    const tried: string[] = []
    const open = async (endpoint: Endpoint): Promise<Engine> => {
      const target = formatEndpoint(endpoint)
      tried.push(target)
      const answer = who[target] ?? new Error('connection refused')
      return fakeEngine({target, info: async () => (answer instanceof Error ? Promise.reject(answer) : infoOf(answer))})
    }

    return {open, tried}
  }

  it('reuses the manager connection for the manager node itself', async () => {
    const {open, tried} = opener({})
    const engines = new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open)
    const route = await engines.forNode(node('id-1', 'node-1', '10.0.0.11'))
    expect(route.via).to.equal('manager')
    expect(route.engine).to.equal(manager.engine)
    expect(tried).to.deep.equal([])
  })

  it('tries config, machine, context, ssh, then tcp with the manager TLS, in that order', async () => {
    writeFileSync(path.join(tmp.dir, 'config.json'), '{}')
    writeMachine(env.MACHINE_STORAGE_PATH!, 'node-2', '10.0.0.99')
    writeContext(env.DOCKER_CONFIG!, 'node-2', 'tcp://10.0.0.98:2375')
    const {open, tried} = opener({'tcp://10.0.0.12:2376': 'id-2'})
    const engines = new NodeEngines(manager, {nodes: {'node-2': {host: 'tcp://10.0.0.97:2375'}}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open)
    const route = await engines.forNode(worker)
    expect(tried).to.deep.equal(['tcp://10.0.0.97:2375', 'tcp://10.0.0.99:2376', 'tcp://10.0.0.98:2375', 'ssh://10.0.0.12', 'tcp://10.0.0.12:2376'])
    expect(route.via).to.equal('tcp')
  })

  it('takes the first candidate that answers as that node', async () => {
    writeMachine(env.MACHINE_STORAGE_PATH!, 'node-2', '10.0.0.12')
    const {open} = opener({'tcp://10.0.0.12:2376': 'id-2'})
    const route = await new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open).forNode(worker)
    expect(route).to.deep.include({via: 'machine', name: 'node-2'})
  })

  it('refuses an engine that is a different node, and says so', async () => {
    writeContext(env.DOCKER_CONFIG!, 'node-2', 'tcp://10.0.0.50:2375')
    const {open} = opener({'tcp://10.0.0.50:2375': 'id-7'})
    const noTls = {...manager, resolved: {endpoint: {kind: 'unix', socketPath: '/s'} as Endpoint, source: 'x'}}
    const error = await new NodeEngines(noTls, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open).forNode(worker).catch((e: Error) => e)
    expect(String(error)).to.match(/cannot reach the engine of node node-2 \(10\.0\.0\.12\)/)
    expect(String(error)).to.match(/context: tcp:\/\/10\.0\.0\.50:2375 is id-7 \(node id-7\), not node-2/)
  })

  it('lists every rule tried and why each failed, on one line', async () => {
    const {open} = opener({})
    const noTls = {...manager, resolved: {endpoint: {kind: 'unix', socketPath: '/s'} as Endpoint, source: 'x'}}
    const error = (await new NodeEngines(noTls, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open).forNode(worker).catch((e: Error) => e)) as Error
    expect(error.message).to.not.include('\n')
    for (const part of ['config: no mapping', 'machine: no docker-machine machine "node-2"', 'context: no Docker context "node-2"', 'ssh: connection refused', 'tcp: the manager connection has no verified TLS material']) {
      expect(error.message).to.include(part)
    }
  })

  it('never reuses TLS material whose verification a context skipped', async () => {
    const {open, tried} = opener({'tcp://10.0.0.12:2376': 'id-2'})
    const skipping = {...manager, resolved: {endpoint: {kind: 'tcp', host: '10.0.0.11', port: 2376, tls: {verify: false, dir: '/c'}} as Endpoint, source: 'x'}}
    const error = await new NodeEngines(skipping, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open).forNode(worker).catch((e: Error) => e)
    expect(String(error)).to.include('tcp: the manager connection has no verified TLS material to reuse')
    expect(tried).to.not.include('tcp://10.0.0.12:2376')
  })

  it('opens each node once per command and closes what it opened', async () => {
    writeMachine(env.MACHINE_STORAGE_PATH!, 'node-2', '10.0.0.12')
    let opened = 0
    const engine = fakeEngine({info: async () => infoOf('id-2')})
    const engines = new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, async () => {
      opened++
      return engine
    })
    await Promise.all([engines.forNode(worker), engines.forNode(worker)])
    await engines.closeAll()
    expect(opened).to.equal(1)
    expect(engine.closed).to.equal(1)
  })

  describe('sshSession: an SSH connection to a node, for forwarding to its containers', () => {
    /** A fake of swarmnet's own SshSession. */
    function session(target: string): SshSession & {closed: number} {
      const fake = {
        target,
        closed: 0,
        dockerAgent: () => new http.Agent(),
        exec: async () => ({stdout: '', stderr: '', code: 0}),
        forward: async () => {
          throw new Error('not used')
        },
        async close() {
          fake.closed++
        },
      }
      return fake
    }

    function sshOpener(answer: (endpoint: SshEndpoint) => SshSession | Error) {
      const opened: {endpoint: SshEndpoint; settings: SshSettings}[] = []
      const openSsh = async (endpoint: SshEndpoint, settings: SshSettings) => {
        opened.push({endpoint, settings})
        const result = answer(endpoint)
        if (result instanceof Error) throw result
        return result
      }

      return {openSsh, opened}
    }

    it('the node\'s engine runs over SSH: that very connection, none opened', async () => {
      const own = session('ssh://root@10.0.0.11:22')
      const sshManager = {...manager, resolved: {endpoint: {kind: 'ssh', host: '10.0.0.11'} as Endpoint, source: 'DOCKER_HOST'}, engine: await engineOverSsh(own, 1000)}
      const {openSsh, opened} = sshOpener(() => new Error('must not open'))
      const engines = new NodeEngines(sshManager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, opener({}).open, openSsh)
      expect(await engines.sshSession(node('id-1', 'node-1', '10.0.0.11'))).to.equal(own)
      expect(opened).to.deep.equal([])
    })

    it('the engine reached otherwise (TCP/TLS, a socket): SSH to the node\'s address with the command\'s settings, once, closed with the engines', async () => {
      const opened1 = session('ssh://root@10.0.0.11:22')
      const {openSsh, opened} = sshOpener(() => opened1)
      const engines = new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: true, sshConfigPath: '/lab/ssh/config', env}, opener({}).open, openSsh)
      const managerNode = node('id-1', 'node-1', '10.0.0.11')
      expect(await engines.sshSession(managerNode)).to.equal(opened1)
      expect(await engines.sshSession(managerNode)).to.equal(opened1)
      expect(opened).to.deep.equal([{endpoint: {host: '10.0.0.11'}, settings: {configPath: '/lab/ssh/config', acceptNewHostKey: true, timeoutMs: 1000, env}}])
      await engines.closeAll()
      expect(opened1.closed).to.equal(1)
    })

    it('a docker-machine node: its SSH user, port and key', async () => {
      const dir = writeMachine(env.MACHINE_STORAGE_PATH!, 'node-2', '10.0.0.12')
      const {open} = opener({'tcp://10.0.0.12:2376': 'id-2'})
      const {openSsh, opened} = sshOpener(() => session('ssh://docker@10.0.0.12:50022'))
      const engines = new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, open, openSsh)
      await engines.sshSession(worker)
      expect(opened.map((o) => [o.endpoint, o.settings.identityFiles])).to.deep.equal([[{host: '10.0.0.12', user: 'docker', port: 50_022}, [path.join(dir, 'id_rsa')]]])
    })

    it('no SSH to be had: the failure, remembered (not retried on every request)', async () => {
      const {openSsh, opened} = sshOpener(() => new Error('ssh://root@10.0.0.11:22: connection refused; expected an SSH server on port 22'))
      const engines = new NodeEngines(manager, {nodes: {}}, {timeoutMs: 1000, acceptNewHostKey: false, env}, opener({}).open, openSsh)
      const managerNode = node('id-1', 'node-1', '10.0.0.11')
      for (let i = 0; i < 2; i++) {
        const error = await engines.sshSession(managerNode).then(() => undefined, (error_: Error) => error_)
        expect(error?.message).to.equal('ssh://root@10.0.0.11:22: connection refused; expected an SSH server on port 22')
      }

      expect(opened).to.have.length(1)
      const nowhere = await engines.sshSession(node('id-3', 'node-3', '')).then(() => undefined, (error_: Error) => error_)
      expect(nowhere?.message).to.equal('the swarm reports no address for node node-3')
      expect(opened).to.have.length(1)
    })
  })
})
