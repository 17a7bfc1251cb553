import {UsageError} from '../core/errors.js'

/** Where an engine listens, before any connection is made. */
export type Endpoint =
  | {kind: 'unix'; socketPath: string}
  | {kind: 'tcp'; host: string; port: number; tls?: TlsMaterial}
  | {kind: 'ssh'; host: string; port?: number; user?: string}

export interface TlsMaterial {
  /** Verify the server against `ca` (false only when a context says SkipTLSVerify). */
  verify: boolean
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  /** The directory the files came from: what DOCKER_CERT_PATH would be. */
  dir: string
}

/** An endpoint plus where it came from, so messages can say "context node-2" or "DOCKER_HOST". */
export interface ResolvedEndpoint {
  endpoint: Endpoint
  source: string
  /** The context or machine name when the endpoint came from one. */
  context?: string
  machine?: string
}

export const DEFAULT_SOCKET = '/var/run/docker.sock'

/**
 * Parses a docker host string the way the docker CLI does: unix:///path, tcp://host[:port],
 * ssh://[user@]host[:port], or host:port (tcp implied). `origin` names the flag or variable.
 */
export function parseDockerHost(value: string, origin: string, tls?: TlsMaterial): Endpoint {
  const text = value.trim()
  const expected = 'expected unix:///path, tcp://host:port or ssh://[user@]host[:port]'
  const bad = (why: string) => new UsageError(`invalid ${origin} "${value}": ${why}; ${expected}`)
  if (text === '') throw bad('empty')
  const withScheme = text.includes('://') ? text : `tcp://${text}`
  const scheme = withScheme.slice(0, withScheme.indexOf('://'))
  if (scheme === 'unix') {
    const socketPath = withScheme.slice('unix://'.length)
    if (!socketPath.startsWith('/')) throw bad('the socket path must be absolute')
    return {kind: 'unix', socketPath}
  }

  if (scheme !== 'tcp' && scheme !== 'ssh') throw bad(`unsupported scheme "${scheme}"`)
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw bad('not a valid address')
  }

  if (!url.hostname) throw bad('no host')
  if (url.pathname !== '' && url.pathname !== '/') throw bad(`unexpected path "${url.pathname}"`)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (scheme === 'ssh') {
    if (url.password) throw bad('passwords in ssh:// addresses are not supported; use a key or the SSH agent')
    return {kind: 'ssh', host, user: url.username ? decodeURIComponent(url.username) : undefined, port: url.port ? Number(url.port) : undefined}
  }

  if (url.username) throw bad('tcp:// addresses take no user')
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375
  return {kind: 'tcp', host, port, tls}
}

/** The endpoint as a docker host string: what `DOCKER_HOST` would hold. */
export function formatEndpoint(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case 'unix': {
      return `unix://${endpoint.socketPath}`
    }

    case 'tcp': {
      return `tcp://${hostPort(endpoint.host, endpoint.port)}`
    }

    case 'ssh': {
      const user = endpoint.user ? `${endpoint.user}@` : ''
      return `ssh://${user}${endpoint.port ? hostPort(endpoint.host, endpoint.port) : endpoint.host}`
    }
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
