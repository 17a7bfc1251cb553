import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type NetworkInspection, inspectOverlay, pickOverlay} from '../../lib/network/network.js'
import {colour, renderTable, yes} from '../../lib/ui/output.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class NetworkInspect extends SwarmnetCommand<typeof NetworkInspect> {
  static summary = 'Show a network: its peers, and per service its VIP and task IPs'
  static description = 'Like `docker network inspect --verbose`, but for the whole swarm: every node that holds the network, every attached service with its virtual IP (or dnsrr), and every running task with its node and IP on this network.'
  static examples = ['<%= config.bin %> <%= command.id %> proxy', '<%= config.bin %> <%= command.id %> proxy --json']
  static args = {name: Args.string({description: 'network name or id (chosen from a list on a terminal when missing)', required: false})}

  async run(): Promise<NetworkInspection> {
    const engine = await this.engine()
    const name = this.args.name ?? (await pickOverlay(engine, this.jsonEnabled()))
    const inspection = await withSpinner('Inspecting', () => inspectOverlay(engine, name), {quiet: this.jsonEnabled()})
    const {network, peers, services} = inspection
    const mtu = network.options['com.docker.network.driver.mtu']
    this.log(`${colour.bold(network.name)}  ${network.id.slice(0, 12)}  ${network.driver}/${network.scope}`)
    this.log(`subnet ${network.subnets.map((s) => `${s.subnet}${s.gateway ? ` via ${s.gateway}` : ''}`).join(', ') || '-'}` +
      `  attachable ${yes(network.attachable) || 'no'}  encrypted ${yes(network.encrypted) || 'no'}${mtu ? `  mtu ${mtu}` : ''}`)
    this.log(`\n${colour.bold('PEERS')}`)
    this.log(peers.length > 0 ? renderTable(['NODE', 'ADDRESS'], peers.map((p) => [p.name, p.ip])) : '(none: no task uses this network yet)')
    this.log(`\n${colour.bold('SERVICES')}`)
    const rows = services.flatMap((s) =>
      s.tasks.length > 0
        ? s.tasks.map((t) => [s.name, s.vip ?? s.endpointMode, t.task, t.node, t.ip, t.state])
        : [[s.name, s.vip ?? s.endpointMode, '(no running task)', '', '', '']],
    )
    this.log(rows.length > 0 ? renderTable(['SERVICE', 'VIP', 'TASK', 'NODE', 'TASK IP', 'STATE'], rows) : '(none attached)')
    return inspection
  }
}
