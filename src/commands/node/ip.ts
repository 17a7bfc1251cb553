import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {pickNode} from '../../lib/node/pick.js'

export default class NodeIp extends SwarmnetCommand<typeof NodeIp> {
  static summary = "Print a node's address"
  static description = "The address the swarm knows the node by, like `docker-machine ip`. Without NODE, asks which node (on a terminal)."
  static examples = ['<%= config.bin %> <%= command.id %> node-1', 'curl "http://$(<%= config.bin %> <%= command.id %> node-2)/demo/hello"']
  static args = {node: Args.string({description: 'node hostname, id or address', required: false})}

  async run(): Promise<{hostname: string; id: string; address: string}> {
    const node = await pickNode(await this.engine(), this.args.node, {json: this.jsonEnabled()})
    this.log(node.address)
    return {hostname: node.hostname, id: node.id, address: node.address}
  }
}
