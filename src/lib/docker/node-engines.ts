import type {NodeMapping, SwarmnetConfig} from '../core/config.js'
import {SwarmnetError, reasonOf} from '../core/errors.js'
import type {SshEndpoint, SshSession, SshSettings} from '../ssh/ssh-client.js'
import {type ConnectSettings, openEngine, sshSessionOf} from './connect.js'
import {contextEndpoint, hasContext, readContext} from './contexts.js'
import type {Engine, SwarmNode} from './engine.js'
import {type Endpoint, type ResolvedEndpoint, parseDockerHost} from './endpoint.js'
import {hasMachine, machineEndpoint, readMachine} from './machine.js'

/** A node's engine and how it was found. */
export interface NodeRoute {
  node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>
  engine: Engine
  endpoint: Endpoint
  /** Which rule found it: manager, config, machine, context, ssh or tcp. */
  via: 'manager' | 'config' | 'machine' | 'context' | 'ssh' | 'tcp'
  /** The context or machine name, when `via` is one of those. */
  name?: string
}

interface Candidate {
  via: NodeRoute['via']
  /** Why this rule does not apply; the candidate is skipped with this reason. */
  skip?: string
  name?: string
  endpoint?: () => Endpoint
}

/** The manager connection the command already holds. */
export interface ManagerConnection {
  resolved: ResolvedEndpoint
  engine: Engine
  nodeId: () => Promise<string>
}

/**
 * Finds the engine of each Swarm node, as `docker-machine env $NODE` does for the book's reader,
 * trying in order: the manager connection itself (when it is that node), a mapping in swarmnet's
 * config file, a docker-machine machine of the node's name, a Docker context of that name, SSH to the
 * node's address, and TCP/TLS to the address with the manager's TLS material. Each candidate must
 * answer and be that node (its Swarm node id must match). Engines are cached for the whole command.
 */
export class NodeEngines {
  private readonly routes = new Map<string, Promise<NodeRoute>>()
  private readonly opened: Engine[] = []
  private readonly sshSessions = new Map<string, Promise<SshSession>>()
  private readonly ownSessions: SshSession[] = []

  constructor(
    private readonly manager: ManagerConnection,
    private readonly config: SwarmnetConfig,
    private readonly settings: ConnectSettings & {env: NodeJS.ProcessEnv},
    private readonly open: (endpoint: Endpoint, settings: ConnectSettings) => Promise<Engine> = openEngine,
    private readonly openSsh: (endpoint: SshEndpoint, settings: SshSettings) => Promise<SshSession> = async (endpoint, settings) => (await import('../ssh/ssh-client.js')).openSshSession(endpoint, settings),
  ) {}

  /**
   * An SSH connection to the node (to reach its containers' own addresses): the one its engine runs
   * over when it does, else one opened to its address with the command's SSH settings (a docker-machine
   * node's user and key), once per command and closed with the engines. Host keys are checked as always.
   */
  sshSession(node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>): Promise<SshSession> {
    let session = this.sshSessions.get(node.id)
    if (!session) {
      session = this.openSshTo(node)
      session.catch(() => {})
      this.sshSessions.set(node.id, session)
    }

    return session
  }

  forNode(node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>): Promise<NodeRoute> {
    let route = this.routes.get(node.id)
    if (!route) {
      route = this.find(node)
      this.routes.set(node.id, route)
    }

    return route
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.opened.map((engine) => engine.close()), ...this.ownSessions.map((session) => session.close())])
  }

  private async openSshTo(node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>): Promise<SshSession> {
    const route = await this.forNode(node).catch(() => undefined)
    const shared = route && sshSessionOf(route.engine)
    if (shared) return shared
    if (!node.address) throw new SwarmnetError(`the swarm reports no address for node ${node.hostname}`)
    const machine = route?.via === 'machine' && route.name ? readMachine(route.name, this.settings.env) : undefined
    const {sshConfigPath: configPath, acceptNewHostKey, timeoutMs, env} = this.settings
    const session = await this.openSsh(
      machine ? {host: node.address, user: machine.sshUser, port: machine.sshPort} : {host: node.address},
      {configPath, acceptNewHostKey, timeoutMs, env, ...(machine ? {identityFiles: [machine.sshKeyPath]} : {})},
    )
    this.ownSessions.push(session)
    return session
  }

  private async find(node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>): Promise<NodeRoute> {
    if ((await this.manager.nodeId().catch(() => '')) === node.id) {
      return {node, engine: this.manager.engine, endpoint: this.manager.resolved.endpoint, via: 'manager'}
    }

    const failures: string[] = []
    for (const candidate of this.candidates(node)) {
      if (candidate.skip) {
        failures.push(`${candidate.via}: ${candidate.skip}`)
        continue
      }

      let engine: Engine | undefined
      try {
        const endpoint = candidate.endpoint!()
        engine = await this.open(endpoint, this.settings)
        this.opened.push(engine)
        const info = await engine.info()
        if (info.swarm.nodeId !== node.id) {
          throw new SwarmnetError(`${engine.target} is ${info.name || 'another engine'} (node ${info.swarm.nodeId || 'outside the swarm'}), not ${node.hostname}`)
        }

        // For SSH, the session knows the user and port the SSH config resolved: what plain docker needs.
        const reached = endpoint.kind === 'ssh' ? parseDockerHost(engine.target, 'the SSH session') : endpoint
        return {node, engine, endpoint: reached, via: candidate.via, name: candidate.name}
      } catch (error) {
        failures.push(`${candidate.via}: ${reasonOf(error)}`)
        await engine?.close()
      }
    }

    throw new SwarmnetError(`cannot reach the engine of node ${node.hostname} (${node.address}); tried ${failures.join('; ')}`)
  }

  private candidates(node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>): Candidate[] {
    const {env} = this.settings
    const mapping = this.config.nodes[node.hostname] ?? this.config.nodes[node.id] ?? this.config.nodes[node.address]
    // Only verified TLS is reused: a context's SkipTLSVerify applies to that context's engine alone.
    const managerTls = this.manager.resolved.endpoint.kind === 'tcp' && this.manager.resolved.endpoint.tls?.verify ? this.manager.resolved.endpoint.tls : undefined
    const managerPort = this.manager.resolved.endpoint.kind === 'tcp' ? this.manager.resolved.endpoint.port : 2376
    return [
      mapping
        ? {via: 'config', endpoint: () => mappingEndpoint(mapping, node.hostname, env), name: describeMapping(mapping)}
        : {via: 'config', skip: 'no mapping in the swarmnet config file'},
      hasMachine(node.hostname, env)
        ? {via: 'machine', name: node.hostname, endpoint: () => machineEndpoint(readMachine(node.hostname, env))}
        : {via: 'machine', skip: `no docker-machine machine "${node.hostname}"`},
      hasContext(node.hostname, env)
        ? {via: 'context', name: node.hostname, endpoint: () => contextEndpoint(readContext(node.hostname, env))}
        : {via: 'context', skip: `no Docker context "${node.hostname}"`},
      node.address
        ? {via: 'ssh', endpoint: () => ({kind: 'ssh', host: node.address})}
        : {via: 'ssh', skip: 'the swarm reports no address for the node'},
      managerTls && node.address
        ? {via: 'tcp', endpoint: () => ({kind: 'tcp', host: node.address, port: managerPort, tls: managerTls})}
        : {via: 'tcp', skip: 'the manager connection has no verified TLS material to reuse'},
    ]
  }
}

function mappingEndpoint(mapping: NodeMapping, node: string, env: NodeJS.ProcessEnv): Endpoint {
  if ('host' in mapping) return parseDockerHost(mapping.host, `config mapping for ${node}`)
  if ('context' in mapping) return contextEndpoint(readContext(mapping.context, env))
  return machineEndpoint(readMachine(mapping.machine, env))
}

function describeMapping(mapping: NodeMapping): string {
  return 'host' in mapping ? mapping.host : 'context' in mapping ? mapping.context : mapping.machine
}
