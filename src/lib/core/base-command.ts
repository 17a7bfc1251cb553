import {Command, Flags, type Interfaces} from '@oclif/core'

import {loadConfig} from './config.js'
import type {Cluster} from '../docker/cluster.js'
import type {ConnectSettings} from '../docker/connect.js'
import type {Engine} from '../docker/engine.js'
import type {ResolvedEndpoint} from '../docker/endpoint.js'
import type {NodeEngines} from '../docker/node-engines.js'
import {resolveEngine} from '../docker/resolve.js'
import {readEnvironment} from './environment.js'
import {ERROR_CODES, SwarmnetError, UsageError, errorEnvelope, oneLine} from './errors.js'
import {colour} from '../ui/output.js'
import {note} from '../ui/progress.js'
import {givenOnCommandLine, originOf} from './flags.js'
import {checkSshConfigFile, parseDuration} from './input.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof SwarmnetCommand)['baseFlags'] & T['flags']>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

const GLOBAL = 'GLOBAL'
/** The global flags that say how to reach an engine (with their short names). */
const CONNECTION_FLAGS: [string, string?][] = [['host', 'H'], ['context', 'c'], ['machine'], ['timeout'], ['ssh-config'], ['accept-new-host-key']]

/**
 * Every swarmnet command: global connection flags, --json, one error format with exit codes
 * 0/1/2/130, and the engine factory (nothing connects until a command asks for an engine).
 */
export abstract class SwarmnetCommand<T extends typeof Command> extends Command {
  static baseFlags = {
    host: Flags.string({
      char: 'H',
      helpGroup: GLOBAL,
      summary: 'Engine to talk to: unix:///path, tcp://host:port or ssh://[user@]host[:port] (else DOCKER_HOST).',
    }),
    context: Flags.string({
      char: 'c',
      helpGroup: GLOBAL,
      summary: 'Docker context to use (else DOCKER_CONTEXT, then currentContext in $DOCKER_CONFIG/config.json).',
    }),
    machine: Flags.string({
      helpGroup: GLOBAL,
      summary: 'docker-machine machine whose engine to use, read from $MACHINE_STORAGE_PATH (no docker-machine binary needed).',
    }),
    timeout: Flags.string({
      helpGroup: GLOBAL,
      default: '10s',
      env: 'SWARMNET_TIMEOUT',
      summary: 'Limit for each network call, e.g. 10s, 500ms, 1m.',
    }),
    'ssh-config': Flags.string({
      helpGroup: GLOBAL,
      env: 'SWARMNET_SSH_CONFIG',
      summary: 'OpenSSH config file to read instead of ~/.ssh/config (like ssh -F).',
    }),
    'accept-new-host-key': Flags.boolean({
      helpGroup: GLOBAL,
      summary: 'Trust and record SSH host keys not yet in known_hosts (changed keys are still refused).',
    }),
    'no-color': Flags.boolean({
      helpGroup: GLOBAL,
      summary: 'No colour in output (also NO_COLOR=1).',
    }),
  }

  static enableJsonFlag = true
  /** False for commands that never reach an engine (the lab's): they refuse the connection flags. */
  static usesConnection = true

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every argument that is not a flag or a flag's value (for variadic commands). */
  protected positional: string[] = []
  private managerEngine?: Promise<Engine>
  /** The connection as resolved, before any switch from a worker to a manager: a route to its own node. */
  private connection?: Promise<Engine>
  private nodes?: Promise<NodeEngines>
  private resolvedEndpoint?: ResolvedEndpoint

  public async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof SwarmnetCommand
    const {args, argv, flags} = await this.parse({
      args: ctor.args,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      flags: ctor.flags,
      strict: ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    this.positional = argv as string[]
    await this.checkGlobalInput(ctor.usesConnection)
  }

  /**
   * Every global value checked before the command starts, whether or not it will need it: the
   * timeout, the SSH config file, swarmnet's config file, and where the engine is (TLS files too).
   */
  private async checkGlobalInput(usesConnection: boolean): Promise<void> {
    if (!usesConnection) {
      const typed = CONNECTION_FLAGS.find(([flag, char]) => givenOnCommandLine(this.argv, flag, char))
      if (typed) throw new UsageError(`--${typed[0]} does not apply to \`${this.id?.replaceAll(':', ' ')}\`: it works on this machine, not through a Docker engine`)
      return
    }

    parseDuration(this.flags.timeout, originOf(this.argv, 'timeout', 'SWARMNET_TIMEOUT'))
    const sshConfig = this.flags['ssh-config']
    checkSshConfigFile(sshConfig, originOf(this.argv, 'ssh-config', 'SWARMNET_SSH_CONFIG'))
    if (sshConfig && sshConfig !== 'none') {
      // Read once now (with its Includes), so a broken file is one usage error, not one per node.
      const {resolveSshConfig} = await import('../ssh/ssh-config.js')
      resolveSshConfig('swarmnet-config-check', {configPath: sshConfig, env: process.env})
    }

    loadConfig()
    this.resolved()
  }

  /** Network timeout in ms, from --timeout. */
  protected get timeoutMs(): number {
    return parseDuration(this.flags.timeout, '--timeout')
  }

  protected connectSettings(): ConnectSettings & {env: NodeJS.ProcessEnv} {
    return {
      timeoutMs: this.timeoutMs,
      sshConfigPath: this.flags['ssh-config'],
      acceptNewHostKey: this.flags['accept-new-host-key'],
      env: process.env,
    }
  }

  /** Where the manager's engine is, resolved in the docker CLI's order. Reads files, connects nowhere. */
  protected resolved(): ResolvedEndpoint {
    this.resolvedEndpoint ??= resolveEngine({host: this.flags.host, context: this.flags.context, machine: this.flags.machine})
    return this.resolvedEndpoint
  }

  /** The engine of the manager this command talks to; opened once, on first use. */
  protected engine(): Promise<Engine> {
    if (!this.managerEngine) {
      const resolved = this.resolved()
      const settings = this.connectSettings()
      this.connection = import('../docker/connect.js').then(({openEngine}) => openEngine(resolved.endpoint, settings))
      // Pointed at a worker, the first manager-only call finds a manager it knows (and says so).
      this.managerEngine = Promise.all([this.connection, import('../docker/manager.js')]).then(([engine, {towardManager}]) => towardManager(engine, resolved, settings, note))
    }

    return this.managerEngine
  }

  /** The manager plus per-node engines, for commands that work across the swarm; connects like engine(). */
  protected async cluster(): Promise<Cluster> {
    return {engine: await this.engine(), nodeEngines: () => this.nodeEngines(), timeoutMs: this.timeoutMs, settings: this.connectSettings(), environment: readEnvironment()}
  }

  /** Per-node engines (the book's `eval $(docker-machine env $NODE)`), sharing this command's connections. */
  protected nodeEngines(): Promise<NodeEngines> {
    if (!this.nodes) {
      const resolved = this.resolved()
      const config = loadConfig()
      this.nodes = this.engine().then(() => Promise.all([this.connection!, import('../docker/node-engines.js')])).then(([engine, {NodeEngines}]) => {
        // Asked now, since every node lookup starts by checking whether it is the manager's node.
        const nodeId = engine.info().then((info) => info.swarm.nodeId)
        nodeId.catch(() => {})
        const manager = {resolved, engine, nodeId: () => nodeId}
        return new NodeEngines(manager, config, this.connectSettings())
      })
    }

    return this.nodes
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}; code?: string}): Promise<void> {
    const {message, exitCode, code} = describeFailure(error)
    if (this.jsonEnabled()) {
      const details = error instanceof SwarmnetError ? error.details : undefined
      this.logJson(errorEnvelope(message, code, exitCode, details))
    } else {
      process.stderr.write(`${colour.red('Error:')} ${message}\n`)
      if (process.env.SWARMNET_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
    }

    process.exitCode = exitCode
  }

  protected async finally(error: Error | undefined): Promise<void> {
    const closing: Promise<unknown>[] = []
    if (this.nodes) closing.push(this.nodes.then((nodes) => nodes.closeAll(), () => {}))
    if (this.managerEngine) closing.push(this.managerEngine.then((engine) => engine.close(), () => {}))
    await Promise.allSettled(closing)
    return super.finally(error)
  }

  /**
   * --json output: what oclif prints with colour off (bin/run.js turns it off under --json), written
   * straight out. oclif's own tokenizes the text for colour at a cost that grows faster than its size
   * (thousands of tasks took tens of ms); swarmnet's results are plain data, so nothing else differs.
   */
  logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }
}

/** Maps any failure to one line and an exit code: ours, oclif's parse errors (2), prompts, the rest (1). */
export function describeFailure(error: Error & {oclif?: {exit?: number}; code?: string}): {message: string; exitCode: number; code: string} {
  if (error instanceof SwarmnetError) return {message: oneLine(error.message), exitCode: error.exitCode, code: error.code}
  if (error.name === 'ExitPromptError') return {message: 'interrupted', exitCode: ERROR_CODES.EINTERRUPTED.exitCode, code: 'EINTERRUPTED'}
  // oclif's parser errors (missing args, unknown flags, bad options) are usage errors.
  if (error.oclif?.exit === 2 || /Parse|Args|Flag/.test(error.constructor?.name ?? '')) {
    const text = oneLine(error.message.split(/\n\s*(?:See more help with --help|Note: )/)[0])
    return {message: `${text} (see --help)`, exitCode: ERROR_CODES.EUSAGE.exitCode, code: 'EUSAGE'}
  }

  return {message: oneLine(error.message), exitCode: ERROR_CODES.ERUNTIME.exitCode, code: error.code ?? 'ERUNTIME'}
}
