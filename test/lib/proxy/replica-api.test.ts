import {expect} from 'chai'
import net from 'node:net'
import type {Duplex} from 'node:stream'

import {ExitCode, SwarmnetError} from '../../../src/lib/core/errors.js'
import {ConnectFailed} from '../../../src/lib/proxy/http.js'
import {ReplicaApi} from '../../../src/lib/proxy/replica-api.js'
import type {SshSession} from '../../../src/lib/ssh/ssh-client.js'
import {type FakeProxyApi, apiPort, fakeCluster, serveProxyApi} from '../../helpers/fake-cluster.js'
import {fakeEngine, taskOf} from '../../helpers/fake-engine.js'

const PING = '/v1/docker-flow-proxy/ping'
const node2 = {id: 'n2', hostname: 'node-2', address: '127.0.0.12'}

/**
 * A fake of swarmnet's own SshSession: forward(host, port) is recorded and answered by `connect`,
 * which the tests point at a loopback stand-in of the API. Nothing here ever dials 172.x itself.
 */
function fakeSession(connect: (host: string, port: number) => Promise<Duplex>): SshSession & {forwards: string[]} {
  const forwards: string[] = []
  return {
    target: 'ssh://root@127.0.0.12:22',
    forwards,
    dockerAgent: () => {
      throw new Error('fake session: no docker agent')
    },
    exec: async () => {
      throw new Error('fake session: no exec')
    },
    async forward(host, port) {
      forwards.push(`${host}:${port}`)
      return connect(host, port)
    },
    close: async () => {},
  }
}

function dial(api: FakeProxyApi): () => Promise<Duplex> {
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({host: api.host, port: api.port})
      socket.once('connect', () => resolve(socket))
      socket.once('error', reject)
    })
}

const pong = () => ({status: 200, body: '{"Status":"OK"}'})

describe('ReplicaApi: which way to each replica', () => {
  let api: FakeProxyApi
  beforeEach(async () => {
    api = await serveProxyApi('127.0.0.12', pong)
  })
  afterEach(async () => api.close())

  /** The node's engine: the container on docker_gwbridge at 172.17.0.3, and an exec that answers like nc would. */
  function nodeEngine(log: string[], addresses: Record<string, string> = {docker_gwbridge: '172.17.0.3', proxy: '10.0.1.5'}) {
    return fakeEngine({
      target: 'tcp://127.0.0.12:2376',
      async containerAddresses(id) {
        log.push(`containerAddresses ${id}`)
        return addresses
      },
      async exec(id, command) {
        log.push(`exec ${id} ${command.join(' ')}`)
        return {exitCode: 0, stdout: Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"Status":"OK"}'), stderr: ''}
      },
    })
  }

  it('the API not published: over SSH to the node, forwarded by the node to the container\'s docker_gwbridge address; one connection for many requests', async () => {
    const log: string[] = []
    const session = fakeSession(dial(api))
    let sessionsAsked = 0
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine(log)}, 2000, {})
    const nodes = await cluster.nodeEngines()
    nodes.sshSession = async () => {
      sessionsAsked++
      return session
    }

    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
    expect(replica.route.via).to.equal('ssh-tunnel')
    for (let i = 0; i < 3; i++) expect(await replica.get(PING, 2000)).to.deep.include({status: 200, body: '{"Status":"OK"}'})
    expect(replica.route).to.deep.equal({via: 'ssh-tunnel', target: 'ssh://root@127.0.0.12:22 -> 172.17.0.3:8080 on docker_gwbridge'})
    expect(session.forwards).to.deep.equal(['172.17.0.3:8080', '172.17.0.3:8080', '172.17.0.3:8080'])
    expect(api.requests).to.deep.equal([PING, PING, PING])
    expect([sessionsAsked, log]).to.deep.equal([1, ['containerAddresses c2']])
  })

  it('published in host mode (--publish-api): straight to the node\'s port, no SSH, no engine', async () => {
    const log: string[] = []
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine(log)}, 2000, {n2: new Error('must not be asked')})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {publishedPorts: [apiPort(api.port)]}), 8080)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect(replica.route).to.deep.equal({via: 'published-port', target: `http://127.0.0.12:${api.port}`})
    expect([cluster.nodeEnginesCalls, log]).to.deep.equal([0, []])
  })

  it('a published port that refuses: the SSH path, saying why', async () => {
    const closed = await serveProxyApi('127.0.0.12', pong)
    const deadPort = closed.port
    await closed.close()
    const session = fakeSession(dial(api))
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine([])}, 2000, {n2: session})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {publishedPorts: [apiPort(deadPort)]}), 8080)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect(replica.route.via).to.equal('ssh-tunnel')
    expect(replica.route.note).to.match(new RegExp(`^http://127\\.0\\.0\\.12:${deadPort} did not answer \\(connection refused\\)$`))
  })

  it('no SSH to the node (no sshd, unknown host key...): docker exec, the reason in the note; SSH is not retried per request', async () => {
    const log: string[] = []
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine(log)}, 2000, {n2: new SwarmnetError('ssh://root@127.0.0.12:22: connection refused; expected an SSH server on port 22')})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect(replica.route).to.deep.equal({
      via: 'docker-exec', target: 'docker exec in c2 on tcp://127.0.0.12:2376',
      note: 'no SSH path: no SSH connection to node-2: ssh://root@127.0.0.12:22: connection refused; expected an SSH server on port 22',
    })
    expect(log.filter((l) => l.startsWith('exec'))).to.deep.equal(['exec c2 nc 127.0.0.1 8080', 'exec c2 nc 127.0.0.1 8080'])
  })

  it('a container that is not on docker_gwbridge: docker exec', async () => {
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine([], {proxy: '10.0.1.5'})}, 2000, {n2: fakeSession(dial(api))})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect(replica.route).to.deep.include({via: 'docker-exec', note: 'no SSH path: container c2 is not on docker_gwbridge'})
  })

  it('an SSH server that does not forward (AllowTcpForwarding no): docker exec from then on', async () => {
    const session = fakeSession(async () => {
      throw new SwarmnetError('ssh://root@127.0.0.12:22: the server does not forward to 172.17.0.3:8080 (administratively prohibited; AllowTcpForwarding?)', ExitCode.failure, 'EFORWARD')
    })
    const log: string[] = []
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine(log)}, 2000, {n2: session})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect((await replica.get(PING, 2000)).status).to.equal(200)
    expect(replica.route.via).to.equal('docker-exec')
    expect(replica.route.note).to.include('administratively prohibited')
    expect(session.forwards).to.have.length(1)
  })

  it('the container refuses the forwarded connection (still starting): ConnectFailed, so callers wait and retry; no docker exec', async () => {
    const session = fakeSession(async () => {
      throw new SwarmnetError('ssh://root@127.0.0.12:22: 172.17.0.3:8080 refused the connection from the remote host (Connection refused)', ExitCode.failure, 'EFORWARDCONNECT')
    })
    const log: string[] = []
    const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine(log)}, 2000, {n2: session})
    const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
    const error = await replica.get(PING, 2000).then(() => undefined, (error_: Error) => error_)
    expect(error).to.be.instanceOf(ConnectFailed)
    expect(error!.message).to.include('refused the connection from the remote host')
    expect(replica.route.via).to.equal('ssh-tunnel')
    expect(log.filter((l) => l.startsWith('exec'))).to.deep.equal([])
  })

  it('an answer that never completes is bounded by the timeout', async () => {
    const silent = net.createServer(() => {})
    await new Promise<void>((resolve) => {
      silent.listen(0, '127.0.0.12', resolve)
    })
    const {port} = silent.address() as net.AddressInfo
    try {
      const session = fakeSession(() => dial({host: '127.0.0.12', port, requests: [], close: async () => {}})())
      const cluster = fakeCluster(fakeEngine(), {n2: nodeEngine([])}, 2000, {n2: session})
      const replica = new ReplicaApi(cluster, node2, taskOf('t2', 's-proxy', 'n2', {containerId: 'c2'}), 8080)
      const error = await replica.get(PING, 300).then(() => undefined, (error_: Error) => error_)
      expect(error?.message).to.equal('no answer within 0.3s')
      expect(error).not.to.be.instanceOf(ConnectFailed)
    } finally {
      silent.close()
    }
  })
})
