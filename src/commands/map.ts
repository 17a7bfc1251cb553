import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../lib/base-command.js'
import {type SwarmMap, swarmMap} from '../lib/map.js'
import {renderDot, renderMermaid, renderTree} from '../lib/map-render.js'
import {proxyFlag, waitFlag, waitMsOf} from '../lib/proxy/flags.js'
import {withSpinner} from '../lib/progress.js'

export default class Map extends SwarmnetCommand<typeof Map> {
  static summary = 'Draw how a request travels: entry points → proxy replicas → routes → services → tasks'
  static description = "One picture of the whole path, from each node's published ports through the proxy's replicas and the routes each holds, to the services and their tasks on nodes, with problems marked: a route to a service with no running task, a replica lacking a route, a service not on the proxy network. A tree in the terminal; --format mermaid or dot for documentation."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --format mermaid > docs/routing.mmd', '<%= config.bin %> <%= command.id %> --format dot | dot -Tsvg > routing.svg']
  static flags = {
    proxy: proxyFlag,
    format: Flags.string({summary: 'tree (default), mermaid or dot.', options: ['tree', 'mermaid', 'dot'], default: 'tree'}),
    wait: waitFlag,
  }

  async run(): Promise<SwarmMap> {
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const map = await withSpinner('Asking the manager and every replica', () => swarmMap(cluster, {proxy: this.flags.proxy, json: this.jsonEnabled(), waitMs}), {quiet: this.jsonEnabled()})
    this.log(this.flags.format === 'mermaid' ? renderMermaid(map) : this.flags.format === 'dot' ? renderDot(map) : renderTree(map))
    return map
  }
}
