import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {parseDuration} from '../../lib/core/input.js'
import {yesFlag} from '../../lib/core/flags.js'
import {proxyFlag} from '../../lib/proxy/flags.js'
import {type ProxyDownResult, proxyDown} from '../../lib/proxy/lifecycle.js'
import {renderProxyDown} from '../../lib/proxy/render.js'

export default class ProxyDown extends SwarmnetCommand<typeof ProxyDown> {
  static summary = 'Remove the proxy service (and its network with --network-too)'
  static description = 'Asks first (default No); --yes answers. The routes the proxy held in memory go with it; the com.df.* labels on services stay, so `proxy up` and `route sync` bring them back. The network is removed only with --network-too, and only when no other service uses it.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --yes --network-too']
  static flags = {
    proxy: proxyFlag,
    yes: yesFlag,
    'network-too': Flags.boolean({summary: "Also remove the proxy's overlay network when nothing else uses it."}),
  }

  async run(): Promise<ProxyDownResult> {
    const result = await proxyDown(await this.cluster(), {proxy: this.flags.proxy, networkToo: this.flags['network-too'], yes: this.flags.yes, json: this.jsonEnabled(), waitTimeoutMs: parseDuration('30s', 'wait')})
    this.log(renderProxyDown(result))
    return result
  }
}
