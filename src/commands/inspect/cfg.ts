import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {type CfgResult, inspectCfg, rawFile} from '../../lib/inspect/cfg.js'
import {renderCfg} from '../../lib/inspect/render.js'
import {describeNotRead} from '../../lib/proxy/accounting.js'
import {proxyFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'
import {withSpinner} from '../../lib/ui/progress.js'
import {checkExclusive} from '../../lib/core/flags.js'

export default class InspectCfg extends SwarmnetCommand<typeof InspectCfg> {
  static summary = "Show the haproxy.cfg every proxy replica runs: which path goes where, and where replicas differ"
  static description = "The book's four steps (find the proxy's node, point docker at it, find the container, cat /cfg/haproxy.cfg) for every replica at once, read through the Docker API of each replica's node (found like `node env` finds it). Shows each replica's frontends and a table of routes (condition, backend, servers), groups identical replicas, and reports drift: routes one replica lacks and a unified diff. Every replica the proxy should have is counted (\"N of M\"): one being replaced or still starting is waited for (--wait), then named as not read, and the command exits 1. Passwords in userlists are masked unless --show-secrets."
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --raw --node node-2',
    '<%= config.bin %> <%= command.id %> --check     # exit 1 unless every replica was read and they agree',
    '<%= config.bin %> <%= command.id %> --check --wait 1m     # wait longer for replicas still starting',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static flags = {
    proxy: proxyFlag,
    node: Flags.string({summary: 'Only the replica on this node (hostname, id or address).'}),
    task: Flags.string({summary: 'Only the replica of this task (id or prefix, or a name like proxy.1).'}),
    raw: Flags.boolean({summary: 'Print the file byte for byte (the replicas\' common one, or the one chosen).'}),
    check: Flags.boolean({summary: 'Exit 1 unless every replica the proxy should have was read and all files are the same (for scripts and CI).'}),
    wait: waitFlag,
    'show-secrets': Flags.boolean({summary: 'Print userlist passwords instead of ***.'}),
  }

  async run(): Promise<CfgResult> {
    const {flags} = this
    checkExclusive({node: flags.node !== undefined, task: flags.task !== undefined, raw: flags.raw, check: flags.check, json: this.jsonEnabled()}, [
      ['node', 'task', 'give one of them'],
      ['raw', 'json', "--json carries each replica's file as text already"],
      ['check', 'node', "--check compares every replica's file"],
      ['check', 'task', "--check compares every replica's file"],
    ])
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const input = {raw: this.flags.raw && !this.jsonEnabled(), proxy: this.flags.proxy, node: this.flags.node, task: this.flags.task, json: this.jsonEnabled(), showSecrets: this.flags['show-secrets'], waitMs}
    const result = await withSpinner('Reading every replica', () => inspectCfg(cluster, input), {quiet: this.jsonEnabled()})
    if (this.flags.raw && !this.jsonEnabled()) process.stdout.write((await rawFile(result, this.jsonEnabled())).text!)
    else this.log(renderCfg(result))
    // A replica not read (still starting, being replaced, unreachable) is never passed over: the files seen speak only for themselves.
    if (result.notRead.length > 0) {
      throw new SwarmnetError(`${result.read} of ${result.desired} replica(s) read; not read: ${describeNotRead(result.notRead)}`).withDetails(result)
    }

    if (this.flags.check && !result.identical) throw new SwarmnetError(`the replicas' files differ: ${result.groups.map((g) => g.replicas.join(', ')).join(' | ')}`).withDetails(result)
    return result
  }
}
