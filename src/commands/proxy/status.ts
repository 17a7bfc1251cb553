import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {proxyFlag, verboseFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'
import {type ProxyStatusResult, proxyStatus} from '../../lib/proxy/lifecycle.js'
import {renderProxyStatus} from '../../lib/proxy/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class ProxyStatus extends SwarmnetCommand<typeof ProxyStatus> {
  static summary = "Show the proxy's tasks, whether each replica's API answers, and whether the replicas agree"
  static description = "Per task: node, state, image and host ports; per replica: whether its API answers (asked of that replica, not of whichever one the routing mesh picks) and how many routes it holds; then whether all replicas hold the same routes, and a warning when its ports are published in ingress mode, which hides every client's address (host mode keeps it). Every replica the proxy should have is counted: one being replaced or still starting is waited for (--wait), then shown as not running."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --verbose', '<%= config.bin %> <%= command.id %> --proxy edge --json']
  static flags = {proxy: proxyFlag, wait: waitFlag, verbose: verboseFlag}

  async run(): Promise<ProxyStatusResult> {
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const status = await withSpinner('Asking every replica', () => proxyStatus(cluster, {proxy: this.flags.proxy, json: this.jsonEnabled(), waitMs}), {quiet: this.jsonEnabled()})
    this.log(renderProxyStatus(status, this.flags.verbose))
    return status
  }
}
