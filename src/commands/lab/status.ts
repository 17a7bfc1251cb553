import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type LabStatus, labStatus} from '../../lib/lab/lab.js'
import {renderLabNodes} from '../../lib/lab/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class LabStatusCommand extends SwarmnetCommand<typeof LabStatusCommand> {
  static usesConnection = false
  static summary = "Show each lab node's health"
  static description = 'For every node: whether its daemon answers, its swarm state, whether sshd answers and whether the lab images are there; and whether this kernel can run the ingress routing mesh (IPVS). Exits 1 when the lab is not fully up.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<LabStatus> {
    const status = await withSpinner('Checking the lab', () => labStatus(), {quiet: this.jsonEnabled()})
    this.log(status.nodes.length === 0 ? `No lab. Start one with: ${this.config.bin} lab up\n\n${status.note}` : renderLabNodes(status))
    if (!status.running) process.exitCode = 1
    return status
  }
}
