import type {SwarmNode} from '../docker/engine.js'
import {type Endpoint, formatEndpoint} from '../docker/endpoint.js'
import type {NodeRoute} from '../docker/node-engines.js'
import {UsageError} from '../core/errors.js'
import type {EnvVars} from './shell-env.js'

/** Finds a node by hostname, id, unique id prefix or address; an unknown one lists the known hostnames. */
export function findNode(nodes: SwarmNode[], ref: string): SwarmNode {
  const exact = nodes.find((n) => n.hostname === ref || n.id === ref || n.address === ref)
  if (exact) return exact
  const byPrefix = nodes.filter((n) => ref.length >= 3 && n.id.startsWith(ref))
  if (byPrefix.length === 1) return byPrefix[0]
  if (byPrefix.length > 1) throw new UsageError(`node id prefix "${ref}" is ambiguous: ${byPrefix.map((n) => n.hostname).join(', ')}`)
  throw new UsageError(`unknown node "${ref}"; the swarm's nodes are ${nodes.map((n) => n.hostname).join(', ') || 'none'}`)
}

/**
 * The variables that point a plain docker CLI at an engine, as `docker-machine env` prints them.
 * Variables that would override the choice (DOCKER_HOST over DOCKER_CONTEXT, stale TLS settings) are unset.
 */
export function dockerEnvFor(endpoint: Endpoint, via: {context?: string; machine?: string}): EnvVars {
  if (via.context && via.context !== 'default') {
    return [['DOCKER_CONTEXT', via.context], ['DOCKER_HOST', null], ['DOCKER_TLS_VERIFY', null], ['DOCKER_CERT_PATH', null], ['DOCKER_MACHINE_NAME', null]]
  }

  const tls = endpoint.kind === 'tcp' ? endpoint.tls : undefined
  const vars: EnvVars = [
    ['DOCKER_HOST', formatEndpoint(endpoint)],
    ['DOCKER_TLS_VERIFY', tls?.verify ? '1' : null],
    ['DOCKER_CERT_PATH', tls ? tls.dir : null],
    ['DOCKER_MACHINE_NAME', via.machine ?? null],
    ['DOCKER_CONTEXT', null],
  ]
  return vars
}

/** The variables for a node route found by NodeEngines. */
export function routeEnv(route: NodeRoute, manager: {context?: string; machine?: string}): EnvVars {
  switch (route.via) {
    case 'manager': {
      return dockerEnvFor(route.endpoint, manager)
    }

    case 'context': {
      return dockerEnvFor(route.endpoint, {context: route.name})
    }

    case 'machine': {
      return dockerEnvFor(route.endpoint, {machine: route.name})
    }

    default: {
      return dockerEnvFor(route.endpoint, {})
    }
  }
}
