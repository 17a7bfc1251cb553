import {SwarmnetCommand} from '../../lib/base-command.js'
import {labDown} from '../../lib/lab/lab.js'
import {colour} from '../../lib/output.js'
import {note} from '../../lib/progress.js'

export default class LabDown extends SwarmnetCommand<typeof LabDown> {
  static summary = 'Remove the lab and everything it made'
  static description = 'Stops the lab\'s daemons and containers and removes its namespaces, links, bridge, firewall rule, mounts, cgroups and data, then checks that nothing is left. Only what `lab up` recorded is touched.'
  static examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<{removed: boolean}> {
    const result = await labDown((node, step) => note(`${colour.dim(node ?? 'lab')}  ${step}`))
    this.log(result.removed ? 'Lab removed; nothing is left.' : 'No lab to remove.')
    return result
  }
}
