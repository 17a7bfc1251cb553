import type {Engine, EngineInfo, NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../../src/lib/docker/engine.js'

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
    inspectService: missing('inspectService'),
    createService: missing('createService'),
    updateService: missing('updateService'),
    updateServiceLabels: missing('updateServiceLabels'),
    removeService: missing('removeService'),
    removeNetwork: missing('removeNetwork'),
    listTasks: missing('listTasks'),
    listContainers: missing('listContainers'),
    containerAddresses: missing('containerAddresses'),
    exec: missing('exec'),
    readContainerFile: missing('readContainerFile'),
    runHelper: missing('runHelper'),
    removeContainer: missing('removeContainer'),
    imageExposedPorts: missing('imageExposedPorts'),
    swarmInit: missing('swarmInit'),
    swarmJoin: missing('swarmJoin'),
    swarmJoinTokens: missing('swarmJoinTokens'),
    inspectSwarm: missing('inspectSwarm'),
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
  return {name, serverVersion: '20.10.24', os: 'Debian', swarm: {state: 'active', nodeId, nodeAddr: '', controlAvailable: false, remoteManagers: []}}
}

export function node(id: string, hostname: string, address: string, role: SwarmNode['role'] = 'worker'): SwarmNode {
  return {id, hostname, address, role, leader: role === 'manager', status: 'ready', availability: 'active', engineVersion: '20.10.24', labels: {}}
}

/** A service as the Engine reports it, with everything a test does not care about defaulted. */
export function serviceOf(id: string, name: string, overrides: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    id, name, image: 'swarmnet-lab/go-demo:latest', mode: 'replicated', replicas: 1, endpointMode: 'vip', networks: [], ports: [], labels: {},
    env: [], constraints: [], version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...overrides,
  }
}

/** A task as the Engine reports it (running unless said otherwise). */
export function taskOf(id: string, serviceId: string, nodeId: string, overrides: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id, serviceId, nodeId, image: 'swarmnet-lab/go-demo:latest', desiredState: 'running', state: 'running', stateSince: '2026-01-01T00:00:00Z',
    createdAt: '2026-01-01T00:00:00Z', message: 'started', addresses: [], publishedPorts: [], containerId: `c-${id}`, ...overrides,
  }
}

/** An overlay network as the Engine lists it, with one subnet. */
export function overlayOf(id: string, name: string, subnet: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary {
  return {id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [{subnet}], options: {}, labels: {}, ...overrides}
}
