import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {type LbResult, checkLbInput, lbFailure, lbTest} from '../../lib/lb/lb.js'
import {renderLb} from '../../lib/lb/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class LbTest extends SwarmnetCommand<typeof LbTest> {
  static summary = 'Send N requests and show which container answered how often, and how fast'
  static description = "TARGET is a URL (requests from here, e.g. through the proxy) or a service (requests from inside its network: a container already attached to it, or a short-lived helper made from an image already on the node). Shows a bar per answering container, how far the spread is from a perfect round-robin (and which tasks never answered), the status codes, and latency percentiles. The answering container is read from a response header (X-Served-By, or another with --header). A request fails when no answer comes (refused, timed out, DNS lookup failed, cut short...) or the answer is an HTTP error (400 and above, e.g. the proxy's 503); failures are counted by reason, and the command exits 1 when more requests failed than --max-failed allows (default none)."
  static examples = [
    '<%= config.bin %> <%= command.id %> go-demo --path /demo/hello --requests 300',
    '<%= config.bin %> <%= command.id %> http://10.213.0.11/demo/hello --requests 1000 --concurrency 20',
    '<%= config.bin %> <%= command.id %> go-demo --port 8080 --from node-3 --json',
    '<%= config.bin %> <%= command.id %> http://10.213.0.11/demo/hello -n 1000 --max-failed 1%',
  ]

  static args = {target: Args.string({description: 'service name, or http:// URL', required: true})}
  static flags = {
    requests: Flags.string({char: 'n', summary: 'How many requests.', default: '100'}),
    concurrency: Flags.string({char: 'C', summary: 'How many at a time.', default: '1'}),
    port: Flags.string({summary: "The service's port (default: its published target port, or its image's EXPOSE)."}),
    path: Flags.string({summary: 'Path to request on the service (default /).'}),
    header: Flags.string({summary: 'Response header naming the answering container (default X-Served-By).'}),
    network: Flags.string({summary: 'The network to send from (when the service is on several).'}),
    from: Flags.string({summary: 'Send from this node (default: one with a container on the network).'}),
    'max-failed': Flags.string({summary: 'How many requests may fail and still pass: a number (3) or a percentage (5%); default 0.'}),
  }

  async run(): Promise<LbResult> {
    const input = {target: this.args.target, requests: this.flags.requests, concurrency: this.flags.concurrency, port: this.flags.port, path: this.flags.path, header: this.flags.header, network: this.flags.network, from: this.flags.from, maxFailed: this.flags['max-failed'], json: this.jsonEnabled()}
    const limits = checkLbInput(input)
    const cluster = await this.cluster()
    const result = await withSpinner(`Sending ${input.requests} requests`, () => lbTest(cluster, input, limits), {quiet: this.jsonEnabled()})
    this.log(renderLb(result))
    const failure = lbFailure(result)
    if (failure) throw new SwarmnetError(failure).withDetails(result)
    return result
  }
}
