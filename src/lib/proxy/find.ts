import type {Engine, NetworkSummary, ServiceSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError} from '../core/errors.js'
import {canPrompt, chooseOne} from '../ui/interactive.js'

/** The label `proxy up` puts on the service it creates, so it is found under any name. */
export const PROXY_LABEL = 'org.swarmnet.proxy'
export const DEFAULT_API_PORT = 8080

/** docker-flow-proxy in any registry or generation (vfarcic/, dockerflow/), or the lab's stand-in. */
export function isProxyImage(image: string): boolean {
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '')
  return /(^|\/)docker-flow-proxy$/.test(repository) || /(^|\/)swarmnet-lab\/proxy$/.test(repository)
}

/** Whether a service is a docker-flow-proxy: by its image, or the label `proxy up` puts on it. */
export function isProxyService(service: ServiceSummary): boolean {
  return service.labels[PROXY_LABEL] === 'true' || isProxyImage(service.image)
}

/**
 * Which service is the proxy: --proxy NAME; else the service named "proxy"; else the one service
 * that runs a docker-flow-proxy image or carries swarmnet's label. Several candidates are offered as
 * a pick on a terminal, otherwise listed in a usage error.
 */
export async function findProxy(engine: Engine, options: {name?: string; json: boolean; services?: ServiceSummary[]}): Promise<ServiceSummary> {
  const services = options.services ?? (await engine.listServices())
  if (options.name !== undefined) {
    const named = services.find((s) => s.name === options.name || s.id === options.name)
    if (!named) throw new UsageError(`unknown proxy service "${options.name}"; ${describeCandidates(services)}`)
    return named
  }

  const byName = services.find((s) => s.name === 'proxy')
  if (byName) return byName
  const candidates = services.filter((s) => isProxyService(s))
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 0) throw new SwarmnetError('no proxy service in this swarm; start one with `swarmnet proxy up`, or name yours with --proxy NAME')
  const names = candidates.map((s) => s.name).join(', ')
  if (!canPrompt({json: options.json})) throw new UsageError(`several services could be the proxy: ${names}; choose one with --proxy NAME`)
  return chooseOne({
    message: 'Which service is the proxy?',
    answeredBy: '--proxy',
    json: options.json,
    choices: candidates.map((s) => ({name: `${s.name}  ${s.image}`, value: s})),
  })
}

function describeCandidates(services: ServiceSummary[]): string {
  const candidates = services.filter((s) => isProxyService(s) || s.name === 'proxy')
  return candidates.length > 0 ? `proxy services here: ${candidates.map((s) => s.name).join(', ')}` : 'this swarm runs no proxy service'
}

/** The port the proxy's API listens on inside its containers (its PORT variable, else 8080). */
export function apiPortOf(proxy: {env: string[]}): number {
  const port = proxy.env.find((e) => e.startsWith('PORT='))?.slice('PORT='.length)
  return port && /^\d+$/.test(port) ? Number(port) : DEFAULT_API_PORT
}

/** The overlay networks the proxy is attached to (the ingress network does not count). */
export function proxyNetworks(proxy: ServiceSummary, networks: NetworkSummary[]): NetworkSummary[] {
  const byId = new Map(networks.map((n) => [n.id, n]))
  return proxy.networks.map((a) => byId.get(a.id)).filter((n): n is NetworkSummary => n !== undefined && !n.ingress)
}
