import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {type MeshResult, checkMeshInput, meshCheck} from '../../lib/mesh/mesh.js'
import {colour, renderTable} from '../../lib/ui/output.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class MeshCheck extends SwarmnetCommand<typeof MeshCheck> {
  static summary = "Probe a service's published ports on every node, and say what the answers mean"
  static description = "Connects to the published port on every node at once (from here) and reports per node: answered, refused or timed out, the latency, which container answered, and whether the node runs a task of the service. A port published through the routing mesh should answer everywhere; one that answers only where tasks run is the classic sign of blocked 4789/udp or 7946 between nodes, or of missing IPVS, and is called out as such. Exits 1 when the answers are not what the publishing mode promises."
  static examples = ['<%= config.bin %> <%= command.id %> proxy', '<%= config.bin %> <%= command.id %> --port 80 --path /demo/hello', '<%= config.bin %> <%= command.id %> go-demo --json']
  static args = {service: Args.string({description: 'service whose published ports to probe'})}
  static flags = {
    port: Flags.string({summary: 'Probe this published port (whichever service publishes it) instead of a SERVICE.'}),
    path: Flags.string({summary: 'HTTP path to request (any answer counts; a status is shown).', default: '/'}),
  }

  async run(): Promise<MeshResult> {
    const input = {service: this.args.service, port: this.flags.port, path: this.flags.path, json: this.jsonEnabled()}
    checkMeshInput(input)
    const cluster = await this.cluster()
    const result = await withSpinner('Probing every node', () => meshCheck(cluster, input), {quiet: this.jsonEnabled()})
    const paint = (r: string) => (r === 'answered' ? colour.green(r) : colour.red(r))
    this.log(renderTable(['NODE', 'ADDRESS', 'PORT', 'MODE', 'TASK HERE', 'RESULT', 'LATENCY', 'ANSWERED BY'], result.probes.map((p) => [
      p.node, p.address, p.port, p.mode, p.runsTask ? 'yes' : '', paint(p.result) + (p.status ? ` ${p.status}` : '') + (p.error ? ` (${p.error})` : ''), p.latencyMs === undefined ? '' : `${p.latencyMs} ms`, p.answeredBy ?? '',
    ])))
    for (const v of result.verdicts) this.log((v.ok ? colour.green : colour.red)(`${v.service} :${v.port} — ${v.diagnosis}`))
    if (!result.ok) throw new SwarmnetError(result.verdicts.filter((v) => !v.ok).map((v) => `${v.service} :${v.port}: ${v.diagnosis}`).join('; ')).withDetails(result)
    return result
  }
}
