import path from 'node:path'

import {UsageError} from '../core/errors.js'
import {contextEndpoint, currentContextName, dockerConfigDir, readContext} from './contexts.js'
import {DEFAULT_SOCKET, parseDockerHost, type ResolvedEndpoint, type TlsMaterial} from './endpoint.js'
import {machineEndpoint, readMachine} from './machine.js'
import {readTlsDir} from './tls.js'

/** The global flags that pick the manager's engine. */
export interface ConnectionFlags {
  host?: string
  context?: string
  machine?: string
}

type Env = NodeJS.ProcessEnv

/**
 * Picks the engine to talk to, in the docker CLI's order: --host, then --context (and swarmnet's
 * --machine), then DOCKER_HOST with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, then DOCKER_CONTEXT, then
 * currentContext in $DOCKER_CONFIG/config.json, then the default socket. Reads files; connects to nothing.
 */
export function resolveEngine(flags: ConnectionFlags, env: Env = process.env): ResolvedEndpoint {
  const explicit = (['host', 'context', 'machine'] as const).filter((k) => flags[k] !== undefined)
  if (explicit.length > 1) {
    throw new UsageError(`conflicting options: ${explicit.map((k) => `--${k}`).join(' and ')}; give only one of --host, --context or --machine`)
  }

  if (flags.host !== undefined) {
    return {endpoint: parseDockerHost(flags.host, '--host', tlsFromEnv(flags.host, env)), source: '--host'}
  }

  if (flags.machine !== undefined) {
    const machine = readMachine(flags.machine, env)
    return {endpoint: machineEndpoint(machine), source: `--machine ${machine.name}`, machine: machine.name}
  }

  if (flags.context !== undefined) return fromContext(flags.context, `--context ${flags.context}`, env)
  if (env.DOCKER_HOST) return fromDockerHost(env)
  if (env.DOCKER_CONTEXT) return fromContext(env.DOCKER_CONTEXT, `DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`, env)
  const current = currentContextName(env)
  if (current) return fromContext(current, `currentContext "${current}" in ${path.join(dockerConfigDir(env), 'config.json')}`, env)
  return {endpoint: {kind: 'unix', socketPath: DEFAULT_SOCKET}, source: 'the default socket'}
}

function fromContext(name: string, source: string, env: Env): ResolvedEndpoint {
  if (name === '') throw new UsageError(`empty context name (from ${source})`)
  // "default" is the docker CLI's name for "whatever DOCKER_HOST or the default socket says".
  if (name === 'default') {
    if (env.DOCKER_HOST) return fromDockerHost(env)
    return {endpoint: {kind: 'unix', socketPath: DEFAULT_SOCKET}, source: `${source} (the default socket)`, context: 'default'}
  }

  return {endpoint: contextEndpoint(readContext(name, env)), source, context: name}
}

function fromDockerHost(env: Env): ResolvedEndpoint {
  const host = env.DOCKER_HOST ?? ''
  return {endpoint: parseDockerHost(host, 'DOCKER_HOST', tlsFromEnv(host, env)), source: 'DOCKER_HOST'}
}

/** DOCKER_TLS_VERIFY (any non-empty value, as the docker CLI reads it) turns on verified TLS for tcp hosts. */
function tlsFromEnv(host: string, env: Env): TlsMaterial | undefined {
  const isTcp = host.startsWith('tcp://') || !host.includes('://')
  if (!isTcp || !env.DOCKER_TLS_VERIFY) return undefined
  const dir = env.DOCKER_CERT_PATH || dockerConfigDir(env)
  const origin = env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : 'DOCKER_TLS_VERIFY with the default cert path'
  return readTlsDir(dir, {verify: true, origin})
}
