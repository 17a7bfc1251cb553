import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../lib/core/base-command.js'
import {type DnsResult, lookupService} from '../lib/dns/dns.js'
import {SwarmnetError} from '../lib/core/errors.js'
import {dnsDisagreement, renderDns} from '../lib/dns/render.js'
import {checkServiceRef} from '../lib/core/input.js'
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
    this.log(renderDns(result))
    if (!result.ok) throw new SwarmnetError(dnsDisagreement(result)).withDetails(result)
    return result
  }
}
