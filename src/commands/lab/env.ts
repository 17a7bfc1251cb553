import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {labEnv} from '../../lib/lab/lab.js'
import {SHELLS, pickShell, renderEnv} from '../../lib/node/shell-env.js'

export default class LabEnv extends SwarmnetCommand<typeof LabEnv> {
  static usesConnection = false
  static summary = 'Print the shell lines that point docker and swarmnet at the lab'
  static description = "Like `docker-machine env`: TLS to the node's engine (the manager, node-1, by default), plus the lab's docker-machine store (MACHINE_STORAGE_PATH), Docker config with a context per node (DOCKER_CONFIG) and SSH config (SWARMNET_SSH_CONFIG), so --machine, --context and per-node SSH all work against the lab."
  static examples = ['eval "$(<%= config.bin %> <%= command.id %>)"', 'eval "$(<%= config.bin %> <%= command.id %> node-2)"', '<%= config.bin %> <%= command.id %> --shell fish | source']
  static args = {node: Args.string({description: 'lab node (default node-1)', required: false})}
  static flags = {shell: Flags.string({summary: `Shell syntax: ${SHELLS.join(', ')} (default: from $SHELL)`})}

  async run(): Promise<{node: string; variables: Record<string, string | null>}> {
    const shell = pickShell(this.flags.shell)
    const {node, vars} = labEnv(this.args.node)
    this.log(renderEnv(vars, shell, `${this.config.bin} lab env${this.args.node ? ` ${node}` : ''}`))
    return {node, variables: Object.fromEntries(vars)}
  }
}
