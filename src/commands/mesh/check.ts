import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {type MeshResult, checkMeshInput, meshCheck} from '../../lib/mesh/mesh.js'
import {meshFailure, renderMesh} from '../../lib/mesh/render.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class MeshCheck extends SwarmnetCommand<typeof MeshCheck> {
  static summary = "Probe a service's published ports on every node, and say what the answers mean"
  static description = "Connects to the published port on every node at once (from here) and reports per node: answered, refused or timed out, the latency, which container answered, and whether the node runs a task of the service. A port published through the routing mesh should answer everywhere; one that answers only where tasks run is the classic sign of a blocked VXLAN data-path port (4789/udp unless moved) or 7946 between nodes, or of missing IPVS, and is called out as such. Exits 1 when the answers are not what the publishing mode promises."
  static examples = ['<%= config.bin %> <%= command.id %> proxy', '<%= config.bin %> <%= command.id %> --port 80 --path /demo/hello', '<%= config.bin %> <%= command.id %> go-demo --json']
  static args = {service: Args.string({description: 'service whose published ports to probe'})}
  static flags = {
    port: Flags.string({summary: 'Probe this published port (whichever service publishes it) instead of a SERVICE.'}),
    path: Flags.string({summary: 'HTTP path to request (any answer counts; a status is shown).', default: '/'}),
  }

  async run(): Promise<MeshResult> {
    const input = checkMeshInput({service: this.args.service, port: this.flags.port, path: this.flags.path, json: this.jsonEnabled()})
    const cluster = await this.cluster()
    const result = await withSpinner('Probing every node', () => meshCheck(cluster, input), {quiet: this.jsonEnabled()})
    this.log(renderMesh(result))
    if (!result.ok) throw new SwarmnetError(meshFailure(result)).withDetails(result)
    return result
  }
}
