import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {proxyFlag, verboseFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'
import {type RouteListing, listRoutes} from '../../lib/route/ls.js'
import {renderRouteListing} from '../../lib/route/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class RouteLs extends SwarmnetCommand<typeof RouteLs> {
  static summary = 'List the routes, and whether each proxy replica holds them'
  static description = "Every route recorded on a service as com.df.* labels (by `route add`, or by hand for docker-flow-swarm-listener), with its paths, port and domains, and per proxy replica whether it holds that route as labelled: live, missing (e.g. a replica restarted since) or differs. Routes a replica holds that no label backs are listed too. Every replica the proxy should have is counted: one being replaced or still starting is waited for (--wait), then named as not read. Exits 1 unless every replica was read and holds every labelled route."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --wait 0     # do not wait for replicas still starting']
  static flags = {proxy: proxyFlag, wait: waitFlag, verbose: verboseFlag}

  async run(): Promise<RouteListing> {
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const listing = await withSpinner('Asking every replica', () => listRoutes(cluster, {proxy: this.flags.proxy, json: this.jsonEnabled(), waitMs}), {quiet: this.jsonEnabled()})
    this.log(renderRouteListing(listing, this.flags.verbose))
    if (!listing.agree) throw new SwarmnetError(`the proxy's replicas are not all in step: ${listing.problems.join('; ')}`).withDetails(listing)
    return listing
  }
}
