import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {parseKeyValue, parseWholeNumber} from '../../lib/core/input.js'
import {askText} from '../../lib/ui/interactive.js'
import {type OverlayNetwork, createOverlay, validateNetworkSpec} from '../../lib/network/network.js'

export default class NetworkCreate extends SwarmnetCommand<typeof NetworkCreate> {
  static summary = 'Create an overlay network'
  static description = 'Like `docker network create --driver overlay NAME`, with every value checked before anything is sent.'
  static examples = [
    '<%= config.bin %> <%= command.id %> proxy',
    '<%= config.bin %> <%= command.id %> backend --attachable --subnet 10.0.9.0/24 --gateway 10.0.9.1',
    '<%= config.bin %> <%= command.id %> secure --encrypted --mtu 1400',
  ]

  static args = {name: Args.string({description: 'network name (asked for on a terminal when missing)', required: false})}
  static flags = {
    attachable: Flags.boolean({summary: 'Let standalone containers attach (docker run --network).'}),
    encrypted: Flags.boolean({summary: 'Encrypt VXLAN traffic between nodes (IPsec; needs IP protocol 50 open).'}),
    subnet: Flags.string({summary: 'Subnet in CIDR notation, e.g. 10.0.9.0/24.'}),
    gateway: Flags.string({summary: 'Gateway address inside --subnet.'}),
    mtu: Flags.string({summary: 'MTU of the overlay (smaller than the underlay by 50 bytes for VXLAN).'}),
    label: Flags.string({summary: 'Label KEY=VALUE (repeatable).', multiple: true, multipleNonGreedy: true}),
  }

  async run(): Promise<OverlayNetwork> {
    const name = this.args.name ?? (await askText({message: 'Name of the new overlay network:', answeredBy: 'argument NAME', json: this.jsonEnabled()}))
    const spec = {
      name,
      attachable: this.flags.attachable,
      encrypted: this.flags.encrypted,
      subnet: this.flags.subnet,
      gateway: this.flags.gateway,
      mtu: this.flags.mtu === undefined ? undefined : parseWholeNumber(this.flags.mtu, '--mtu', 68, 65_535),
      labels: Object.fromEntries((this.flags.label ?? []).map((label) => parseKeyValue(label, '--label'))),
    }
    validateNetworkSpec(spec) // once, before any connection is made
    const network = await createOverlay(await this.engine(), spec)
    this.log(`Created overlay network ${network.name} (${network.id.slice(0, 12)}, ${network.subnets.map((s) => s.subnet).join(', ')})`)
    return network
  }
}
