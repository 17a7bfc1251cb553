import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/base-command.js'
import {DEFAULT_MANAGERS, DEFAULT_NODES, type LabStatus, labUp} from '../../lib/lab/lab.js'
import {DEFAULT_SUBNET} from '../../lib/lab/layout.js'
import {renderLabNodes} from '../../lib/lab/render.js'
import {colour} from '../../lib/output.js'
import {note} from '../../lib/progress.js'

export default class LabUp extends SwarmnetCommand<typeof LabUp> {
  static summary = 'Start a real multi-node Swarm on this machine'
  static description = `Starts one real dockerd per node, each in its own network namespace with its own hostname and address, joins them into one Swarm, starts sshd on every node and imports the lab images (swarmnet-lab/go-demo, swarmnet-lab/proxy). Works offline. Running it again reports the running lab; the remains of a killed run are cleaned up first. Needs Linux and root.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 5 --managers 3',
    'eval "$(<%= config.bin %> lab env)" && docker node ls',
  ]

  static flags = {
    nodes: Flags.integer({summary: `How many nodes (default ${DEFAULT_NODES}).`}),
    managers: Flags.integer({summary: `How many of them are managers; node-1 leads (default ${DEFAULT_MANAGERS}).`}),
    subnet: Flags.string({summary: `The nodes' /24 on this machine (default ${DEFAULT_SUBNET}).`}),
  }

  async run(): Promise<LabStatus & {started: boolean; elapsedMs: number}> {
    const started = Date.now()
    const result = await labUp(
      {nodes: this.flags.nodes, managers: this.flags.managers, subnet: this.flags.subnet},
      (node, step) => note(`${colour.dim(node ?? 'lab')}  ${step}`),
    )
    const elapsedMs = Date.now() - started
    note(result.started ? `Lab up in ${(elapsedMs / 1000).toFixed(1)}s.` : 'The lab is already running.')
    this.log(renderLabNodes(result.status))
    note(colour.dim(`\nPoint docker and swarmnet at it with: eval "$(${this.config.bin} lab env)"`))
    return {...result.status, started: result.started, elapsedMs}
  }
}
