import type {NetworkSummary, PortSpec, ServiceSpec, ServiceSummary} from '../docker/engine.js'
import {UsageError} from '../core/errors.js'
import {checkNetworkName, checkServiceName, parseKeyValue, parseWholeNumber} from '../core/input.js'
import {PROXY_LABEL, apiPortOf} from './find.js'

/** The maintained image; the book's is vfarcic/docker-flow-proxy (same API, older naming). */
export const DEFAULT_IMAGE = 'dockerflow/docker-flow-proxy'
export const HTTP_PORTS = [80, 443]

/** `proxy up` as typed; undefined means "the default for this cluster". */
export interface ProxyUpInput {
  name: string
  network: string
  image?: string
  replicas?: string
  mode?: string
  publishMode?: string
  env: string[]
  publishApi: boolean
  constraints: string[]
}

/** Defaults that depend on where the proxy runs: on a kernel without IPVS the mesh cannot work. */
export interface ClusterDefaults {
  image: string
  mode: 'replicated' | 'global'
  publishMode: 'ingress' | 'host'
  /** Why the defaults differ from the book's, when they do. */
  reason?: string
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
const IMAGE = /^[a-z0-9][a-z0-9._\-/:@]*$/i
const CONSTRAINT = /^[\w.\-[\]]+\s*(==|!=)\s*\S+$/

/** Every value checked before anything connects. */
export function checkProxyInput(input: ProxyUpInput): void {
  checkServiceName(input.name, '--name')
  checkNetworkName(input.network, '--network')
  if (input.image !== undefined && !IMAGE.test(input.image)) throw new UsageError(`invalid --image "${input.image}": expected an image reference like dockerflow/docker-flow-proxy:latest`)
  if (input.mode !== undefined && !['replicated', 'global'].includes(input.mode)) throw new UsageError(`invalid --mode "${input.mode}": expected replicated or global`)
  if (input.publishMode !== undefined && !['ingress', 'host'].includes(input.publishMode)) throw new UsageError(`invalid --publish-mode "${input.publishMode}": expected ingress or host`)
  if (input.replicas !== undefined) {
    parseWholeNumber(input.replicas, '--replicas', 1, 100)
    if (input.mode === 'global') throw new UsageError('--replicas does not go with --mode global (one task per node)')
  }

  for (const pair of input.env) {
    const [key, value] = parseKeyValue(pair, '--env', {key: ENV_KEY, shown: pair.split('=')[0]})
    if (key === 'PORT' && !(/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535 && !HTTP_PORTS.includes(Number(value)))) {
      throw new UsageError(`invalid --env "PORT=${value}": expected the API's port, a number from 1 to 65535 other than ${HTTP_PORTS.join(' and ')}`)
    }
  }

  for (const constraint of input.constraints) {
    if (!CONSTRAINT.test(constraint)) throw new UsageError(`invalid --constraint "${constraint}": expected an expression like node.role==manager or node.labels.proxy!=false`)
  }
}

/** The service `proxy up` wants: the book's command, with SERVICE_NAME set to the real name. */
export function proxySpec(input: ProxyUpInput, defaults: ClusterDefaults): ServiceSpec {
  const mode = input.mode === 'global' || (input.mode === undefined && input.replicas === undefined && defaults.mode === 'global') ? 'global' : 'replicated'
  const publishMode = (input.publishMode ?? defaults.publishMode) as PortSpec['publishMode']
  const env = mergeEnv(['MODE=swarm', `SERVICE_NAME=${input.name}`], input.env)
  const apiPort = apiPortOf({env})
  const targets = [...HTTP_PORTS, ...(input.publishApi ? [apiPort] : [])]
  return {
    name: input.name,
    image: input.image ?? defaults.image,
    mode,
    replicas: mode === 'replicated' ? Number(input.replicas ?? 1) : undefined,
    env,
    networks: [input.network],
    ports: targets.map((port) => ({protocol: 'tcp', targetPort: port, publishedPort: port, publishMode})),
    constraints: input.constraints,
    labels: {[PROXY_LABEL]: 'true'},
  }
}

/** Later values win for the same key, as with repeated `docker service create -e`. */
function mergeEnv(base: string[], extra: string[]): string[] {
  const byKey = new Map<string, string>()
  for (const pair of [...base, ...extra]) byKey.set(pair.slice(0, pair.indexOf('=')), pair)
  return [...byKey.values()]
}

export interface SpecChange {
  field: string
  current: string
  wanted: string
}

/** How a running proxy differs from the spec, field by field, in words an operator reads. */
export function specChanges(current: ServiceSummary, wanted: ServiceSpec, networks: NetworkSummary[]): SpecChange[] {
  const changes: SpecChange[] = []
  const compare = (field: string, a: string, b: string) => {
    if (a !== b) changes.push({field, current: a || '(none)', wanted: b || '(none)'})
  }

  compare('image', withTag(current.image), withTag(wanted.image))
  compare('mode', current.mode === 'global' ? 'global' : `replicated (${current.replicas ?? 1})`, wanted.mode === 'global' ? 'global' : `replicated (${wanted.replicas})`)
  compare('ports', portsText(current.ports), portsText(wanted.ports))
  const byId = new Map(networks.map((n) => [n.id, n]))
  const attached = current.networks.filter((a) => !byId.get(a.id)?.ingress).map((a) => byId.get(a.id)?.name ?? a.id)
  compare('networks', sorted(attached), sorted(wanted.networks))
  compare('env', sorted(current.env), sorted(wanted.env))
  compare('constraints', sorted(current.constraints), sorted(wanted.constraints))
  return changes
}

function withTag(image: string): string {
  const bare = image.replace(/@sha256:[0-9a-f]+$/, '')
  return /:[^/:]+$/.test(bare) ? bare : `${bare}:latest`
}

function portsText(ports: PortSpec[]): string {
  return sorted(ports.map((p) => `${p.publishedPort ?? '-'}:${p.targetPort}/${p.protocol} ${p.publishMode}`))
}

function sorted(values: string[]): string {
  return [...values].sort().join(', ')
}
