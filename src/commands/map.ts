import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../lib/core/base-command.js'
import {type SwarmMap, swarmMap} from '../lib/map/map.js'
import {checkMapOutput, openFile, writeMapFile} from '../lib/map/output.js'
import {renderDot, renderMermaid, renderTree} from '../lib/map/render.js'
import {proxyFlag, waitFlag, waitMsOf} from '../lib/proxy/flags.js'
import {note, withSpinner} from '../lib/ui/progress.js'
import {UsageError} from '../lib/core/errors.js'
import {givenOnCommandLine} from '../lib/core/flags.js'

export default class Map extends SwarmnetCommand<typeof Map> {
  static summary = 'Draw how a request travels: entry points → proxy replicas → routes → services → tasks'
  static description = "One picture of the whole path, from each node's published ports through the proxy's replicas and the routes each holds, to the services and their tasks on nodes, with problems marked: a route to a service with no running task, a replica lacking a route, a replica that does not answer, an ingress-mode port that hides client addresses. A tree in the terminal; --format svg draws the picture itself (Graphviz built in, nothing to install), with a legend; mermaid or dot for documentation."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --format svg --output routing.svg', '<%= config.bin %> <%= command.id %> --open', '<%= config.bin %> <%= command.id %> --format mermaid > docs/routing.mmd']
  static flags = {
    proxy: proxyFlag,
    format: Flags.string({summary: 'tree (the default; svg with --open), svg, mermaid or dot.', options: ['tree', 'svg', 'mermaid', 'dot']}),
    output: Flags.string({char: 'o', summary: 'Write the drawing to this file instead of stdout.', helpValue: 'FILE'}),
    open: Flags.boolean({summary: 'Open the SVG with the desktop\'s viewer (xdg-open, open): written to --output, or to a temporary file.'}),
    wait: waitFlag,
  }

  async run(): Promise<SwarmMap> {
    // --json prints the map as data; a drawing then goes only to a file (--output).
    if (this.jsonEnabled() && givenOnCommandLine(this.argv, 'format') && this.flags.output === undefined) throw new UsageError('--format does not go with --json unless the drawing goes to --output FILE: --json prints the map as data')
    const format = this.flags.format ?? (this.flags.open ? 'svg' : 'tree')
    const opener = checkMapOutput({format, output: this.flags.output, open: this.flags.open})
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const map = await withSpinner('Asking the manager and every replica', () => swarmMap(cluster, {proxy: this.flags.proxy, json: this.jsonEnabled(), waitMs}), {quiet: this.jsonEnabled()})
    const drawing = format === 'svg' ? await (await import('../lib/map/svg.js')).dotToSvg(renderDot(map)) : format === 'mermaid' ? renderMermaid(map) : format === 'dot' ? renderDot(map) : renderTree(map)
    if (this.flags.output === undefined && !opener) {
      if (!this.jsonEnabled()) this.log(drawing)
      return map
    }

    const file = await writeMapFile(drawing, this.flags.output, format)
    if (opener) openFile(opener, file)
    if (!this.jsonEnabled()) note(`${opener ? 'Opening' : 'Wrote'} ${file}${map.problems.length > 0 ? ` (${map.problems.length} problem${map.problems.length === 1 ? '' : 's'} marked)` : ''}`)
    return map
  }
}
