import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {parseWholeNumber} from '../../lib/core/input.js'
import {proxyFlag, verboseFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'
import {renderSync} from '../../lib/route/render.js'
import {type SyncResult, syncRoutes} from '../../lib/route/sync.js'
import {withSpinner} from '../../lib/ui/progress.js'
import {checkFlagNeeds, pruneYesFlag} from '../../lib/core/flags.js'

export default class RouteSync extends SwarmnetCommand<typeof RouteSync> {
  static summary = 'Put every labelled route on every proxy replica that lacks it'
  static description = 'The proxy keeps routes in memory only, so a restarted or rescheduled replica comes back empty. This reads every replica, sends each one only the routes it lacks or holds in another version, and reads it back. With --prune (asked first) it also removes routes that no label backs. Routes to services that are not on the proxy network or have no running task are reported and not sent. A replica being replaced or still starting is waited for (--wait) and synced; one still not up then is named, and the command exits 1.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> --prune --yes']
  static flags = {
    proxy: proxyFlag,
    prune: Flags.boolean({summary: 'Also remove routes no label backs (asked first).'}),
    'dry-run': Flags.boolean({summary: 'Show what would be sent, send nothing.'}),
    yes: pruneYesFlag,
    concurrency: Flags.string({summary: 'Requests in flight per replica.', default: '4'}),
    wait: waitFlag,
    verbose: verboseFlag,
  }

  async run(): Promise<SyncResult> {
    const concurrency = parseWholeNumber(this.flags.concurrency, '--concurrency', 1, 64)
    checkFlagNeeds({yes: this.flags.yes, prune: this.flags.prune}, {yes: 'prune'})
    const waitMs = waitMsOf(this.flags.wait)
    const cluster = await this.cluster()
    const input = {proxy: this.flags.proxy, prune: this.flags.prune, dryRun: this.flags['dry-run'], yes: this.flags.yes, json: this.jsonEnabled(), concurrency, waitMs}
    const result = await withSpinner('Syncing routes', () => syncRoutes(cluster, input), {quiet: this.jsonEnabled() || this.flags.prune})
    this.log(renderSync(result, this.flags.verbose))
    return result
  }
}
