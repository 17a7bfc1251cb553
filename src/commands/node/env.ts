import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {pickNode} from '../../lib/node/pick.js'
import {routeEnv} from '../../lib/node/node.js'
import {withSpinner} from '../../lib/ui/progress.js'
import {SHELLS, pickShell, renderEnv} from '../../lib/node/shell-env.js'

export default class NodeEnv extends SwarmnetCommand<typeof NodeEnv> {
  static summary = "Print the shell lines that point docker at a node's engine"
  static description = `Like \`docker-machine env NODE\`: finds the node's engine (swarmnet config mapping, docker-machine machine, Docker context, SSH to its address, TCP/TLS with the manager's certificates, in that order) and prints the variables for a plain docker CLI.`
  static examples = [
    'eval "$(<%= config.bin %> <%= command.id %> node-2)"',
    '<%= config.bin %> <%= command.id %> node-2 --shell fish | source',
    '<%= config.bin %> <%= command.id %> node-2 --json',
  ]

  static args = {node: Args.string({description: 'node hostname, id or address', required: false})}
  static flags = {
    shell: Flags.string({summary: `Shell syntax: ${SHELLS.join(', ')} (default: from $SHELL)`}),
  }

  async run(): Promise<{node: string; via: string; variables: Record<string, string | null>}> {
    const shell = pickShell(this.flags.shell)
    const node = await pickNode(await this.engine(), this.args.node, {json: this.jsonEnabled()})
    const nodes = await this.nodeEngines()
    const route = await withSpinner(`Reaching ${node.hostname}'s engine`, () => nodes.forNode(node), {quiet: this.jsonEnabled()})
    const resolved = this.resolved()
    const vars = routeEnv(route, {context: resolved.context, machine: resolved.machine})
    this.log(renderEnv(vars, shell, `${this.config.bin} node env ${node.hostname}`))
    return {node: node.hostname, via: route.via, variables: Object.fromEntries(vars)}
  }
}
