import {SwarmnetCommand} from '../../lib/base-command.js'
import {proxyFlag, verboseFlag} from '../../lib/proxy/flags.js'
import {type RouteListing, listRoutes} from '../../lib/routes/ls.js'
import {renderRouteListing} from '../../lib/routes/render.js'
import {withSpinner} from '../../lib/progress.js'

export default class RouteLs extends SwarmnetCommand<typeof RouteLs> {
  static summary = 'List the routes, and whether each proxy replica holds them'
  static description = "Every route recorded on a service as com.df.* labels (by `route add`, or by hand for docker-flow-swarm-listener), with its paths, port and domains, and per proxy replica whether it holds that route as labelled: live, missing (e.g. a replica restarted since) or differs. Routes a replica holds that no label backs are listed too."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static flags = {proxy: proxyFlag, verbose: verboseFlag}

  async run(): Promise<RouteListing> {
    const cluster = await this.cluster()
    const listing = await withSpinner('Asking every replica', () => listRoutes(cluster, {proxy: this.flags.proxy, json: this.jsonEnabled()}), {quiet: this.jsonEnabled()})
    this.log(renderRouteListing(listing, this.flags.verbose))
    return listing
  }
}
