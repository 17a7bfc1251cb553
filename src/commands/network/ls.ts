import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type ListedOverlay, listOverlays} from '../../lib/network/network.js'
import {renderNetworks} from '../../lib/network/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class NetworkLs extends SwarmnetCommand<typeof NetworkLs> {
  static summary = "List the swarm's overlay networks"
  static description = 'Every overlay network with its subnet, gateway, addresses used and free (the VIP of each service in vip mode, each task not shut down, one load-balancer endpoint per node attached), whether it is attachable, encrypted or the ingress network, and the services attached to it.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<ListedOverlay[]> {
    const engine = await this.engine()
    const networks = await withSpinner('Listing networks', () => listOverlays(engine), {quiet: this.jsonEnabled()})
    if (this.jsonEnabled()) return networks // oclif prints it; no table to draw
    this.log(renderNetworks(networks))
    return networks
  }
}
