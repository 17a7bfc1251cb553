import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type ServiceInspection, inspectService} from '../../lib/inspect/service.js'
import {checkServiceRef} from '../../lib/core/input.js'
import {renderServiceInspection} from '../../lib/inspect/render.js'
import {proxyFlag} from '../../lib/proxy/flags.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class InspectService extends SwarmnetCommand<typeof InspectService> {
  static summary = "Show a service's networking: VIPs, ports, tasks and IPs, and whether the proxy routes to it"
  static description = 'Endpoint mode, the VIP on each network, published ports with their mode, every task with its node, state and IP per network, its com.df.* route labels, and whether each proxy replica holds its route.'
  static examples = ['<%= config.bin %> <%= command.id %> go-demo', '<%= config.bin %> <%= command.id %> go-demo --json']
  static args = {service: Args.string({description: 'service name or id', required: true})}
  static flags = {proxy: proxyFlag}

  async run(): Promise<ServiceInspection> {
    checkServiceRef(this.args.service)
    const cluster = await this.cluster()
    const s = await withSpinner('Inspecting', () => inspectService(cluster, this.args.service, {proxy: this.flags.proxy, json: this.jsonEnabled()}), {quiet: this.jsonEnabled()})
    this.log(renderServiceInspection(s))
    return s
  }
}
