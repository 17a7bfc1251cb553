import type {NodeMapping} from '../core/config.js'
import {loadConfig} from '../core/config.js'
import {SwarmnetError, WORKER_CODE, reasonOf} from '../core/errors.js'
import type {ConnectSettings} from './connect.js'
import {contextEndpoint, listContexts} from './contexts.js'
import type {Engine} from './engine.js'
import {type Endpoint, type ResolvedEndpoint, formatEndpoint, parseDockerHost} from './endpoint.js'
import {listMachineNames, machineEndpoint, readMachine} from './machine.js'

/**
 * The engine swarmnet was pointed at, which turns out to be a worker: manager-only calls fail with
 * "not a swarm manager". The first such failure finds a manager among the ones the worker knows
 * (Swarm.RemoteManagers), says on stderr which one is used, and every call from then on goes to it.
 */
export function towardManager(worker: Engine, resolved: ResolvedEndpoint, settings: ConnectSettings & {env: NodeJS.ProcessEnv}, announce: (line: string) => void): Engine {
  let manager: Promise<Engine> | undefined
  let current = worker
  const call = async (name: keyof Engine, args: unknown[]) => {
    const run = () => (current[name] as (...a: unknown[]) => Promise<unknown>)(...args)
    try {
      return await run()
    } catch (error) {
      if ((error as {code?: string}).code !== WORKER_CODE || current !== worker) throw error
      manager ??= findManager(worker, resolved, settings).then(({engine, how}) => {
        announce(`${worker.target} is a swarm worker; using the manager at ${engine.target} (${how})`)
        return engine
      })
      current = await manager
      return run()
    }
  }

  return new Proxy(worker, {
    get(target, property) {
      if (property === 'target') return current.target
      if (property === 'close') return async () => Promise.all([worker.close(), manager?.then((m) => m.close(), () => {})])
      const value = target[property as keyof Engine]
      return typeof value === 'function' ? (...args: unknown[]) => call(property as keyof Engine, args) : value
    },
  })
}

interface Candidate {
  how: string
  endpoint: () => Endpoint
}

/**
 * Tries each manager the worker knows, through: the same credentials as the worker connection; a
 * mapping in swarmnet's config; a docker-machine machine or Docker context at that address; SSH to
 * it. A candidate counts only if it answers as that manager node.
 */
async function findManager(worker: Engine, resolved: ResolvedEndpoint, settings: ConnectSettings & {env: NodeJS.ProcessEnv}): Promise<{engine: Engine; how: string}> {
  const info = await worker.info()
  if (info.swarm.remoteManagers.length === 0) throw new SwarmnetError(`${worker.target} is a swarm worker and knows no manager; point swarmnet at a manager with --host, --context or --machine`)
  const {openEngine} = await import('./connect.js')
  const tried: string[] = []
  for (const manager of info.swarm.remoteManagers) {
    const host = manager.addr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
    for (const candidate of candidates(host, manager.nodeId, resolved.endpoint, settings.env)) {
      let engine: Engine | undefined
      try {
        engine = await openEngine(candidate.endpoint(), settings)
        const seen = await engine.info()
        if (seen.swarm.nodeId !== manager.nodeId || !seen.swarm.controlAvailable) throw new SwarmnetError(`${engine.target} is not manager ${manager.nodeId.slice(0, 12)}`)
        return {engine, how: candidate.how}
      } catch (error) {
        tried.push(`${host} via ${candidate.how}: ${reasonOf(error)}`)
        await engine?.close()
      }
    }
  }

  throw new SwarmnetError(`${worker.target} is a swarm worker, and none of its managers could be reached; tried ${tried.join('; ')}`)
}

function candidates(host: string, nodeId: string, worker: Endpoint, env: NodeJS.ProcessEnv): Candidate[] {
  const list: Candidate[] = []
  if (worker.kind === 'tcp') list.push({how: worker.tls ? 'the same TLS credentials' : 'the same plain TCP port', endpoint: () => ({...worker, host})})
  if (worker.kind === 'ssh') list.push({how: 'the same SSH user and port', endpoint: () => ({...worker, host})})
  const mapping: NodeMapping | undefined = loadConfig(env).nodes[nodeId] ?? loadConfig(env).nodes[host]
  if (mapping) list.push({how: 'the swarmnet config mapping', endpoint: () => ('host' in mapping ? parseDockerHost(mapping.host, 'config mapping') : 'context' in mapping ? contextEndpoint(listContexts(env).find((c) => c.name === mapping.context)!) : machineEndpoint(readMachine(mapping.machine, env)))})
  for (const name of listMachineNames(env)) {
    const machine = readMachine(name, env)
    if (machine.ip === host) list.push({how: `docker-machine machine ${name}`, endpoint: () => machineEndpoint(machine)})
  }

  for (const context of listContexts(env)) {
    const endpoint = safely(() => contextEndpoint(context))
    if (endpoint && endpoint.kind !== 'unix' && endpoint.host === host) list.push({how: `Docker context ${context.name}`, endpoint: () => endpoint})
  }

  list.push({how: 'SSH', endpoint: () => ({kind: 'ssh', host})})
  // The same endpoint twice (e.g. the TLS credentials and a context holding them) is tried once.
  const key = (c: Candidate) => {
    const endpoint = safely(c.endpoint)
    return endpoint ? formatEndpoint(endpoint) : c.how
  }

  return list.filter((c, i) => list.findIndex((o) => key(o) === key(c)) === i)
}

function safely<T>(make: () => T): T | undefined {
  try {
    return make()
  } catch {
    return undefined
  }
}
