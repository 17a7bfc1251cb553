import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../lib/core/base-command.js'
import {type DnsResult, lookupService} from '../lib/dns/dns.js'
import {SwarmnetError} from '../lib/core/errors.js'
import {checkServiceRef} from '../lib/core/input.js'
import {colour, renderTable} from '../lib/ui/output.js'
import {withSpinner} from '../lib/ui/progress.js'

export default class Dns extends SwarmnetCommand<typeof Dns> {
  static summary = 'Resolve a service as its containers do, and compare with the swarm'
  static description = "From inside the service's network (a container already attached to it on the node, or a short-lived helper made from an image already there, so no registry is needed), resolves SERVICE (its VIP, or its tasks' IPs under dnsrr) and tasks.SERVICE (its tasks' IPs) with Docker's embedded DNS, and compares them with the running tasks the manager reports. Stale or missing entries are flagged, and the command then exits 1."
  static examples = ['<%= config.bin %> <%= command.id %> go-demo', '<%= config.bin %> <%= command.id %> go-demo --network proxy --from node-3', '<%= config.bin %> <%= command.id %> go-demo --json']
  static args = {service: Args.string({description: 'service name or id', required: true})}
  static flags = {
    network: Flags.string({summary: 'The network to resolve on (needed when the service is on several).'}),
    from: Flags.string({summary: 'Ask from this node (hostname, id or address); default: a node with a container on the network.'}),
  }

  async run(): Promise<DnsResult> {
    checkServiceRef(this.args.service)
    const cluster = await this.cluster()
    const result = await withSpinner('Resolving from inside the network', () => lookupService(cluster, {service: this.args.service, network: this.flags.network, from: this.flags.from, json: this.jsonEnabled()}), {quiet: this.jsonEnabled()})
    this.log(`${colour.bold(result.service)} on ${result.network} (${result.endpointMode}${result.vip ? ` ${result.vip}` : ''}), asked on ${result.from.node} in ${result.from.container}`)
    this.log(renderTable(['NAME', 'DNS ANSWERS', 'THE SWARM SAYS', 'CHECK'], result.lookups.map((l) => [l.name, l.answered.join(', ') || '(none)', l.expected.join(', ') || '(none)', verdict(l)])))
    for (const note of result.notes) this.log(colour.dim(`Note: ${note}.`))
    if (!result.ok) {
      const bad = result.lookups.filter((l) => verdict(l) !== 'ok').map((l) => `${l.name}: ${verdict(l)}`)
      throw new SwarmnetError(`DNS on ${result.from.node} disagrees with the swarm: ${bad.join('; ')}`).withDetails(result)
    }

    return result
  }
}

function verdict(l: DnsResult['lookups'][number]): string {
  if (l.error) return colour.red(l.error)
  const parts = [...(l.stale.length > 0 ? [`stale ${l.stale.join(', ')}`] : []), ...(l.missing.length > 0 ? [`missing ${l.missing.join(', ')}`] : [])]
  return parts.length > 0 ? colour.red(parts.join('; ')) : colour.green('ok')
}
