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
  /** Every service; with `status`, each carries its running/desired task counts (API 1.41+). */
  listServices(options?: {status?: boolean}): Promise<ServiceSummary[]>
  /** A service by exact name or id, or undefined when there is none. */
  inspectService(idOrName: string): Promise<ServiceSummary | undefined>
  createService(spec: ServiceSpec): Promise<string>
  /**
   * Replaces what ServiceSpec covers (image, mode, replicas, env, ports, networks, constraints,
   * labels) and keeps the rest of the service's spec (mounts, secrets, resources...).
   */
  updateService(id: string, spec: ServiceSpec): Promise<void>
  /** Sets (a string) or removes (null) service labels; only the service's own labels change, so no task restarts. */
  updateServiceLabels(id: string, changes: Record<string, string | null>): Promise<void>
  removeService(id: string): Promise<void>
  removeNetwork(id: string): Promise<void>
  listTasks(filter?: {service?: string; desiredState?: 'running' | 'shutdown' | 'accepted'}): Promise<TaskSummary[]>

  /** Containers of this engine's own node (containers are node-local), by label ("key=value") or network. */
  listContainers(filter?: {labels?: string[]; network?: string}): Promise<ContainerSummary[]>
  /** A container of this node: its IPv4 address on each network it is attached to, by network name (docker_gwbridge included). */
  containerAddresses(containerId: string): Promise<Record<string, string>>
  /**
   * Runs a command in a container of this node (no TTY), bounded by `timeoutMs`. With `input`, that
   * is written to its stdin, which then stays open until the command ends or `done(stdout so far)`
   * says the output is complete (nc, for one, hangs up when its stdin closes).
   */
  exec(containerId: string, command: string[], options?: {timeoutMs?: number; input?: string; done?: (stdout: Buffer) => boolean}): Promise<ExecOutput>
  /**
   * Starts a short-lived container on this node, attached to a network (an attachable overlay),
   * from an image already here: nothing is pulled. Removed with removeContainer.
   */
  runHelper(spec: {image: string; network: string; command: string[]; labels: Record<string, string>}): Promise<string>
  /** Removes a container, running or not. */
  removeContainer(containerId: string): Promise<void>
  /** One file from a container of this node, byte for byte, through the Docker API (no shell or cat needed in the image). */
  readContainerFile(containerId: string, path: string): Promise<Buffer>
  /** The ports an image on this node declares with EXPOSE, or undefined when the image is not there. */
  imageExposedPorts(ref: string): Promise<{port: number; protocol: string}[] | undefined>

  /** dataPathPort: the UDP port VXLAN uses (`docker swarm init --data-path-port`); Docker's 4789 when absent. */
  swarmInit(options: {advertiseAddr: string; listenAddr: string; dataPathPort?: number}): Promise<string>
  swarmJoin(options: {advertiseAddr: string; listenAddr: string; remoteAddr: string; token: string}): Promise<void>
  swarmJoinTokens(): Promise<{worker: string; manager: string}>
  /** The swarm's own settings (GET /swarm): what doctor compares the nodes against. */
  inspectSwarm(): Promise<SwarmSettings>
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
    /** The managers this node knows (a worker's way to one). */
    remoteManagers: {nodeId: string; addr: string}[]
  }
}

/** What `GET /swarm` says that swarmnet reads. */
export interface SwarmSettings {
  /** The ranges overlays get their subnets from ("10.0.0.0/8" unless `--default-addr-pool` said otherwise). */
  defaultAddrPool: string[]
  /** The prefix length of each overlay subnet taken from the pool. */
  subnetSize: number
  /** The UDP port the overlays' VXLAN traffic uses: the swarm's DataPathPort, 4789 when it is 0 or absent. */
  dataPathPort: number
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

export interface PortSpec {
  protocol: 'tcp' | 'udp' | 'sctp' | string
  targetPort: number
  publishedPort?: number
  publishMode: 'ingress' | 'host' | string
}

export interface ServiceSummary {
  id: string
  name: string
  /** Without the digest the manager pins (`@sha256:...`). */
  image: string
  mode: 'replicated' | 'global' | string
  replicas?: number
  endpointMode: 'vip' | 'dnsrr' | string
  /** Network ids the service's tasks attach to, with the VIP on each where there is one. */
  networks: {id: string; vip?: string}[]
  ports: PortSpec[]
  /** The service's own labels (not its containers'). */
  labels: Record<string, string>
  /** KEY=VALUE, as given. */
  env: string[]
  /** Placement constraints, e.g. "node.role==manager". */
  constraints: string[]
  /** The version an update must name (optimistic locking). */
  version: number
  createdAt: string
  updatedAt: string
  /** Only from listServices({status: true}). */
  status?: {running: number; desired: number}
  /** The last rolling update: updating, paused, completed, rollback_started, rollback_paused, rollback_completed. */
  update?: {state: string; startedAt: string; message: string}
}

/** What swarmnet creates or updates a service with; fields left out take Docker's defaults. */
export interface ServiceSpec {
  name: string
  image: string
  mode: 'replicated' | 'global'
  /** For replicated services. */
  replicas?: number
  env: string[]
  /** Network names or ids. */
  networks: string[]
  ports: PortSpec[]
  constraints: string[]
  labels: Record<string, string>
  endpointMode?: 'vip' | 'dnsrr'
}

export interface ContainerSummary {
  id: string
  name: string
  image: string
  state: string
  labels: Record<string, string>
}

export interface ExecOutput {
  /** Undefined when swarmnet stopped reading before the command ended (see `done`). */
  exitCode?: number
  stdout: Buffer
  stderr: string
}

export interface TaskSummary {
  id: string
  serviceId: string
  nodeId: string
  slot?: number
  image: string
  desiredState: string
  state: string
  /** When the task reached its current state. */
  stateSince: string
  createdAt: string
  message: string
  error?: string
  containerId?: string
  addresses: {networkId: string; address: string}[]
  /** Host-mode ports this task published on its node. */
  publishedPorts: PortSpec[]
}
