/**
 * The one narrow interface through which swarmnet talks to a Docker Engine. Only the calls
 * swarmnet uses, returning swarmnet's own types; the dockerode adapter is its only implementation,
 * and tests give commands fakes of it.
 */
export interface Engine {
  /** How this engine was reached, for messages: "unix:///var/run/docker.sock", "ssh://root@10.0.0.2". */
  readonly target: string
  ping(): Promise<void>
  info(): Promise<EngineInfo>

  listNodes(): Promise<SwarmNode[]>
  listNetworks(): Promise<NetworkSummary[]>
  inspectNetwork(idOrName: string, options?: {verbose?: boolean}): Promise<NetworkDetail>
  createNetwork(spec: NetworkSpec): Promise<string>
  listServices(): Promise<ServiceSummary[]>
  listTasks(filter?: {service?: string; desiredState?: 'running' | 'shutdown' | 'accepted'}): Promise<TaskSummary[]>

  swarmInit(options: {advertiseAddr: string; listenAddr: string}): Promise<string>
  swarmJoin(options: {advertiseAddr: string; listenAddr: string; remoteAddr: string; token: string}): Promise<void>
  swarmJoinTokens(): Promise<{worker: string; manager: string}>
  /** Imports a root filesystem tarball as an image (`docker import`), with Dockerfile-style changes. */
  importImage(tarball: NodeJS.ReadableStream, repoTag: string, changes: string[]): Promise<void>
  listImageTags(): Promise<string[]>

  /** Releases connections (SSH sessions, keep-alive sockets). Safe to call twice. */
  close(): Promise<void>
}

export interface EngineInfo {
  name: string
  serverVersion: string
  os: string
  swarm: {
    state: 'inactive' | 'pending' | 'active' | 'error' | 'locked'
    nodeId: string
    nodeAddr: string
    controlAvailable: boolean
    clusterId?: string
  }
}

export interface SwarmNode {
  id: string
  hostname: string
  role: 'manager' | 'worker'
  leader: boolean
  status: string
  availability: string
  /** The node's address as the Swarm reports it (Status.Addr; for managers, ManagerStatus.Addr's host). */
  address: string
  engineVersion: string
  managerReachability?: string
  labels: Record<string, string>
}

export interface NetworkSummary {
  id: string
  name: string
  driver: string
  scope: string
  attachable: boolean
  internal: boolean
  ingress: boolean
  encrypted: boolean
  subnets: {subnet: string; gateway?: string}[]
  options: Record<string, string>
  labels: Record<string, string>
}

export interface NetworkDetail extends NetworkSummary {
  created?: string
  peers: {name: string; ip: string}[]
  /** Only with `verbose`: per service, its VIP and tasks as the node's network DB sees them. */
  services: {
    name: string
    vip?: string
    ports: string[]
    tasks: {name: string; endpointIp: string; hostIp?: string}[]
  }[]
}

export interface NetworkSpec {
  name: string
  attachable?: boolean
  encrypted?: boolean
  subnet?: string
  gateway?: string
  mtu?: number
  labels?: Record<string, string>
}

export interface ServiceSummary {
  id: string
  name: string
  image: string
  mode: 'replicated' | 'global' | string
  replicas?: number
  endpointMode: 'vip' | 'dnsrr' | string
  /** Network ids the service's tasks attach to, with the VIP on each where there is one. */
  networks: {id: string; vip?: string}[]
  ports: {protocol: string; targetPort: number; publishedPort?: number; publishMode: 'ingress' | 'host' | string}[]
  labels: Record<string, string>
}

export interface TaskSummary {
  id: string
  serviceId: string
  nodeId: string
  slot?: number
  desiredState: string
  state: string
  message: string
  error?: string
  containerId?: string
  addresses: {networkId: string; address: string}[]
}
