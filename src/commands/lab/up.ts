import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {DEFAULT_MANAGERS, DEFAULT_NODES, type LabStatus, labUp} from '../../lib/lab/lab.js'
import {DEFAULT_SUBNET} from '../../lib/lab/layout.js'
import {renderLabNodes} from '../../lib/lab/render.js'
import {colour} from '../../lib/ui/output.js'
import {note} from '../../lib/ui/progress.js'
import {parseWholeNumber} from '../../lib/core/input.js'

export default class LabUp extends SwarmnetCommand<typeof LabUp> {
  static usesConnection = false
  static summary = 'Start a real multi-node Swarm on this machine'
  static description = `Starts one real dockerd per node, each in its own network namespace with its own hostname and address, joins them into one Swarm, starts sshd on every node and imports the lab images (swarmnet-lab/go-demo, swarmnet-lab/proxy). Works offline. Running it again reports the running lab; the remains of a killed run are cleaned up first. Needs Linux and root.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 5 --managers 3',
    '<%= config.bin %> <%= command.id %> --data-path-port 4790',
    'eval "$(<%= config.bin %> lab env)" && docker node ls',
  ]

  static flags = {
    nodes: Flags.string({summary: `How many nodes (default ${DEFAULT_NODES}).`}),
    managers: Flags.string({summary: `How many of them are managers; node-1 leads (default ${DEFAULT_MANAGERS}).`}),
    subnet: Flags.string({summary: `The nodes' /24 on this machine (default ${DEFAULT_SUBNET}).`}),
    'data-path-port': Flags.string({summary: 'The UDP port VXLAN uses between the nodes, passed to swarm init as --data-path-port (1024 to 49151; default 4789).'}),
  }

  async run(): Promise<LabStatus & {started: boolean; elapsedMs: number}> {
    const started = Date.now()
    const result = await labUp(
      {nodes: whole(this.flags.nodes, '--nodes'), managers: whole(this.flags.managers, '--managers'), subnet: this.flags.subnet, dataPathPort: dataPathPort(this.flags['data-path-port'])},
      (node, step) => note(`${colour.dim(node ?? 'lab')}  ${step}`),
    )
    const elapsedMs = Date.now() - started
    note(result.started ? `Lab up in ${(elapsedMs / 1000).toFixed(1)}s.` : 'The lab is already running.')
    this.log(renderLabNodes(result.status))
    note(colour.dim(`\nPoint docker and swarmnet at it with: eval "$(${this.config.bin} lab env)"`))
    return {...result.status, started: result.started, elapsedMs}
  }
}

/** Typed as text, so "abc" gets the same one-line message as "0" (oclif's integer flag has its own). */
function whole(value: string | undefined, origin: string): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(value, origin, 1, 9, {trim: true})
}

/** A port as text, checked before anything starts: Docker's range for it, 1024 to 49151. */
function dataPathPort(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(value, '--data-path-port', 1024, 49_151, {trim: true})
}
