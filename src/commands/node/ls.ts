import type {SwarmNode} from '../../lib/docker/engine.js'
import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {renderNodes} from '../../lib/node/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class NodeLs extends SwarmnetCommand<typeof NodeLs> {
  static summary = "List the swarm's nodes"
  static description = 'Asks a manager for every node: hostname, id, role, leader, status, availability, address and engine version.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --context node-1',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  async run(): Promise<SwarmNode[]> {
    const engine = await this.engine()
    const nodes = await withSpinner('Listing nodes', () => engine.listNodes(), {quiet: this.jsonEnabled()})
    if (this.jsonEnabled()) return nodes // oclif prints it; no table to draw
    this.log(renderNodes(nodes))
    return nodes
  }
}
