import http from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Environment} from '../../src/lib/core/environment.js'
import type {Cluster} from '../../src/lib/docker/cluster.js'
import type {Engine, SwarmNode} from '../../src/lib/docker/engine.js'
import type {NodeEngines, NodeRoute} from '../../src/lib/docker/node-engines.js'
import {layoutsOf} from '../../src/lib/lab/state.js'
import type {SshSession} from '../../src/lib/ssh/ssh-client.js'

type NodeRef = Pick<SwarmNode, 'id' | 'hostname' | 'address'>

/** How a fake node is reached: its engine (reached over SSH unless said), or why it cannot be. */
export type FakeRoute = Engine | Error | {engine: Engine; via: NodeRoute['via']}

export interface FakeCluster extends Cluster {
  /** The node ids forNode() was asked for, in order. */
  asked: string[]
  /** How many times nodeEngines() was called. */
  nodeEnginesCalls: number
}

/**
 * A Cluster over fakes of swarmnet's own interfaces: the manager's Engine, and a NodeEngines whose
 * forNode() answers from `routes` (keyed by node id), on a machine as `environment` says (no lab unless
 * said). Never dockerode.
 */
export function fakeCluster(engine: Engine, routes: Record<string, FakeRoute> = {}, timeoutMs = 2000, ssh: Record<string, SshSession | Error> = {}, environment = NO_LAB): FakeCluster {
  const asked: string[] = []
  const nodeEngines = {
    /** SSH to a node only where `ssh` gives a session: elsewhere none, as on a cluster without sshd. */
    async sshSession(node: NodeRef): Promise<SshSession> {
      const session = ssh[node.id] ?? new Error(`fake cluster: no SSH to node ${node.id}`)
      if (session instanceof Error) throw session
      return session
    },
    async forNode(node: NodeRef): Promise<NodeRoute> {
      asked.push(node.id)
      const route = routes[node.id]
      if (route === undefined) throw new Error(`fake cluster: no engine for node ${node.id}`)
      if (route instanceof Error) throw route
      const {engine: nodeEngine, via} = 'via' in route && 'engine' in route ? route : {engine: route as Engine, via: 'ssh' as const}
      return {node, engine: nodeEngine, endpoint: {kind: 'ssh', host: node.address}, via}
    },
    async closeAll() {},
  }
  const cluster = {
    engine,
    timeoutMs,
    asked,
    nodeEnginesCalls: 0,
    settings: {timeoutMs, acceptNewHostKey: false, env: {}},
    environment,
    async nodeEngines() {
      cluster.nodeEnginesCalls++
      return nodeEngines as unknown as NodeEngines
    },
  }
  return cluster as unknown as FakeCluster
}

export const CONFIG_PATH = '/v1/docker-flow-proxy/config?type=json'

export interface FakeProxyApi {
  host: string
  port: number
  /** Every request's path and query, in order. */
  requests: string[]
  close(): Promise<void>
}

/**
 * A stand-in for one docker-flow-proxy replica's API on a loopback address (127.0.0.0/8 is all
 * loopback on Linux, so each fake node can have an address of its own): `config?type=json` answers
 * `live` as JSON, or whatever `answer` returns.
 */
export async function serveProxyApi(host: string, live: Record<string, unknown> | ((url: string) => {status: number; body: string})): Promise<FakeProxyApi> {
  const requests: string[] = []
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '')
    const {status, body} =
      typeof live === 'function' ? live(request.url ?? '') : request.url === CONFIG_PATH ? {status: 200, body: JSON.stringify(live)} : {status: 404, body: '404 page not found\n'}
    response.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)})
    response.end(body)
  })
  await new Promise<void>((resolve) => {
    server.listen(0, host, resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    host,
    port,
    requests,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => {
        server.close(resolve)
      })
    },
  }
}

/** The host-mode published API port a proxy task reports, which ReplicaApi connects to. */
export function apiPort(publishedPort: number, targetPort = 8080) {
  return {protocol: 'tcp', targetPort, publishedPort, publishMode: 'host'}
}

/** A machine with no lab, whose kernel has IPVS. */
export const NO_LAB: Environment = {ipvs: true, labAddresses: []}

/** This machine's lab on `subnet` (a /24 whose nodes are .11, .12, ...), on a kernel with no IPVS unless said. */
export function onLab(subnet: string, {nodes = 3, ipvs = false} = {}): Environment {
  return {ipvs, labAddresses: layoutsOf({nodes, subnet}).map((node) => node.ip)}
}
