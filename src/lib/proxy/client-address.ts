import type {ServiceSummary} from '../docker/engine.js'
import {apiPortOf} from './find.js'

/**
 * A proxy whose ports are published through the routing mesh (ingress mode) never sees a client's
 * address: the mesh rewrites each request's source to its own (moby/moby#25526, open since 2016).
 * Host mode keeps it. Said by `proxy status`, `map` and `doctor`.
 */
export interface ClientAddressHidden {
  code: 'client-address-hidden'
  service: string
  /** The proxy's ports published in ingress mode (its API's aside). */
  ports: number[]
  message: string
  fix: string
}

/** The proxy's ports (not its API's) published in ingress mode, or undefined when none is. */
export function clientAddressHidden(proxy: ServiceSummary): ClientAddressHidden | undefined {
  const api = apiPortOf(proxy)
  const ports = [...new Set(proxy.ports.filter((p) => p.publishMode === 'ingress' && p.protocol === 'tcp' && (p.publishedPort ?? 0) > 0 && p.targetPort !== api).map((p) => p.publishedPort!))].sort((a, b) => a - b)
  if (ports.length === 0) return undefined
  const targets = proxy.ports.filter((p) => ports.includes(p.publishedPort ?? 0) && p.publishMode === 'ingress')
  const update = targets.map((p) => `--publish-rm ${p.publishedPort} --publish-add mode=host,target=${p.targetPort},published=${p.publishedPort}`).join(' ')
  return {
    code: 'client-address-hidden',
    service: proxy.name,
    ports,
    message: `${proxy.name} publishes ${ports.join(', ')} in ingress mode: the routing mesh replaces each client's address with its own, so the proxy, its logs and the services behind it never see the client's IP (moby/moby#25526)`,
    fix: `publish in host mode: \`swarmnet proxy up --publish-mode host --update\` (or \`docker service update ${update} ${proxy.name}\`)`,
  }
}
