import {yesFlag} from '../../lib/core/flags.js'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {confirmDestructive} from '../../lib/ui/interactive.js'
import {labDown, labRecord} from '../../lib/lab/lab.js'
import {colour} from '../../lib/ui/output.js'
import {note} from '../../lib/ui/progress.js'

export default class LabDown extends SwarmnetCommand<typeof LabDown> {
  static usesConnection = false
  static summary = 'Remove the lab and everything it made'
  static description = 'Stops the lab\'s daemons and containers and removes its namespaces, links, bridge, firewall rule, mounts, cgroups and data, then checks that nothing is left. Only what `lab up` recorded is touched. Asks first (default No); --yes answers.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --yes']
  static flags = {yes: yesFlag}

  async run(): Promise<{removed: boolean}> {
    const state = labRecord()
    const question = `Remove the lab (${state?.nodes} nodes, with every service, container and file in it)?`
    if (state && !(await confirmDestructive({question, action: 'removing the lab', yes: this.flags.yes, json: this.jsonEnabled()}))) {
      this.log('Nothing removed.')
      return {removed: false}
    }

    const result = await labDown((node, step) => note(`${colour.dim(node ?? 'lab')}  ${step}`), state)
    this.log(result.removed ? 'Lab removed; nothing is left.' : 'No lab to remove.')
    return result
  }
}
