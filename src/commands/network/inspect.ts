import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type NetworkInspection, inspectOverlay, pickOverlay} from '../../lib/network/network.js'
import {renderNetworkInspection} from '../../lib/network/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class NetworkInspect extends SwarmnetCommand<typeof NetworkInspect> {
  static summary = 'Show a network: its address use, its peers, and per service its VIP and task IPs'
  static description = 'Like `docker network inspect --verbose`, but for the whole swarm: every node that holds the network, every attached service with its virtual IP (or dnsrr), and every running task with its node and IP on this network; then its addresses: usable per subnet, VIPs, task addresses, load-balancer endpoints (one per node attached), used, free, and the tasks still waiting for one.'
  static examples = ['<%= config.bin %> <%= command.id %> proxy', '<%= config.bin %> <%= command.id %> proxy --json']
  static args = {name: Args.string({description: 'network name or id (chosen from a list on a terminal when missing)', required: false})}

  async run(): Promise<NetworkInspection> {
    const engine = await this.engine()
    const name = this.args.name ?? (await pickOverlay(engine, this.jsonEnabled()))
    const inspection = await withSpinner('Inspecting', () => inspectOverlay(engine, name), {quiet: this.jsonEnabled()})
    if (!this.jsonEnabled()) this.log(renderNetworkInspection(inspection)) // under --json nothing is logged: no table to draw
    return inspection
  }
}
