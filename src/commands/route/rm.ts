import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {proxyFlag, verboseFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'
import {renderReplicaRows} from '../../lib/route/render.js'
import {type RouteRmResult, removeRoute} from '../../lib/route/rm.js'
import {checkServiceName} from '../../lib/core/input.js'
import {yesFlag} from '../../lib/core/flags.js'

export default class RouteRm extends SwarmnetCommand<typeof RouteRm> {
  static summary = "Remove a service's route from every proxy replica, and its labels"
  static description = "Sends remove to every replica (with the route's aclName), reads each back, and removes the service's com.df.* route labels. Asks first (default No); --yes answers."
  static examples = ['<%= config.bin %> <%= command.id %> go-demo', '<%= config.bin %> <%= command.id %> go-demo --yes']
  static args = {service: Args.string({description: 'service whose route to remove', required: true})}
  static flags = {
    proxy: proxyFlag,
    yes: yesFlag,
    wait: waitFlag,
    verbose: verboseFlag,
  }

  async run(): Promise<RouteRmResult> {
    checkServiceName(this.args.service)
    const waitMs = waitMsOf(this.flags.wait)
    const result = await removeRoute(await this.cluster(), {service: this.args.service, proxy: this.flags.proxy, yes: this.flags.yes, json: this.jsonEnabled(), waitMs})
    if (!result.removed) {
      this.log('Nothing removed.')
      return result
    }

    this.log(`Removed the route of ${result.service} from ${result.proxy}${result.unlabelled ? ' and its labels' : ''}:`)
    this.log(renderReplicaRows(result.replicas, this.flags.verbose))
    return result
  }
}
