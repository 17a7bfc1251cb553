import type {Engine, EngineInfo, SwarmNode} from '../../src/lib/docker/engine.js'

/** A fake of swarmnet's own Engine interface: each test sets the methods it needs. */
export function fakeEngine(overrides: Partial<Engine> = {}): Engine & {closed: number} {
  const missing = (name: string) => async () => {
    throw new Error(`fake engine: ${name} not set`)
  }

  const engine = {
    target: 'fake://engine',
    closed: 0,
    ping: missing('ping'),
    info: missing('info'),
    listNodes: missing('listNodes'),
    listNetworks: missing('listNetworks'),
    inspectNetwork: missing('inspectNetwork'),
    createNetwork: missing('createNetwork'),
    listServices: missing('listServices'),
    listTasks: missing('listTasks'),
    swarmInit: missing('swarmInit'),
    swarmJoin: missing('swarmJoin'),
    swarmJoinTokens: missing('swarmJoinTokens'),
    importImage: missing('importImage'),
    listImageTags: missing('listImageTags'),
    async close() {
      engine.closed++
    },
    ...overrides,
  }
  return engine
}

export function infoOf(nodeId: string, name = nodeId): EngineInfo {
  return {name, serverVersion: '20.10.24', os: 'Debian', swarm: {state: 'active', nodeId, nodeAddr: '', controlAvailable: false}}
}

export function node(id: string, hostname: string, address: string, role: SwarmNode['role'] = 'worker'): SwarmNode {
  return {id, hostname, address, role, leader: role === 'manager', status: 'ready', availability: 'active', engineVersion: '20.10.24', labels: {}}
}
