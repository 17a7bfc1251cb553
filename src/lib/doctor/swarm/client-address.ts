import {clientAddressHidden} from '../../proxy/client-address.js'
import {isProxyService} from '../../proxy/find.js'
import type {SwarmContext, SwarmFinding} from '../swarm-checks.js'

/** A proxy published in ingress mode hides every client's address (moby/moby#25526); host mode keeps it. */
export function clientAddressCheck(context: SwarmContext): SwarmFinding[] {
  return context.services.filter((s) => isProxyService(s)).map((proxy): SwarmFinding => {
    const base = {name: 'client-address', subject: `service ${proxy.name}`}
    const hidden = clientAddressHidden(proxy)
    if (hidden) return {...base, status: 'warn', detail: hidden.message, hint: hidden.fix}
    const host = [...new Set(proxy.ports.filter((p) => p.publishMode === 'host' && (p.publishedPort ?? 0) > 0).map((p) => p.publishedPort))]
    return host.length > 0 ? {...base, status: 'pass', detail: `publishes ${host.join(', ')} in host mode: it sees each client's address`} : {...base, status: 'skip', detail: 'publishes no port'}
  })
}
