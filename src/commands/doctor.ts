import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../lib/core/base-command.js'
import {describeCauses} from '../lib/core/causes.js'
import {checkFlagNeeds} from '../lib/core/flags.js'
import {type DoctorResult, checkCheckNames, doctor} from '../lib/doctor/doctor.js'
import {renderDoctor} from '../lib/doctor/render.js'
import {SwarmnetError, UsageError} from '../lib/core/errors.js'
import type {Repair} from '../lib/doctor/dataplane.js'
import {canPrompt, confirmDestructive} from '../lib/ui/interactive.js'
import {note, withSpinner} from '../lib/ui/progress.js'

export default class Doctor extends SwarmnetCommand<typeof Doctor> {
  static summary = "Check every node for what a swarm network needs, and say what to fix"
  static description = "Per node, over one SSH connection each (all nodes at once): IPVS; 2377/tcp and 7946/tcp+udp reachable from the other nodes and not dropped by the firewall; the swarm's VXLAN data-path port, read from the swarm (4789/udp unless moved: the firewall, and pings over an overlay between containers on different nodes); the overlay MTU against the underlay's, and the path MTU measured by pings of falling sizes over the overlay; the ingress plumbing (DOCKER-INGRESS, the marks and IPVS in ingress_sbox); the advertise and data-path addresses, and the source address the node's routes pick for each peer (VXLAN's outer source); ufw/firewalld; engine versions; node state; each node's own view of its overlays against the manager's tasks, which names the node with a stale view; and each overlay's VXLAN forwarding (FDB) and neighbour entries in the kernel against where the tasks run, with addresses held twice (fdb); and each node's host side: routes that overlap docker_gwbridge, an overlay or the address pool's next subnets (routes), published ports dropped on the forwarding path by FORWARD or DOCKER-USER (forward), the conntrack and neighbour tables' fill and their overflows in the kernel log (tables), IPVS's idle timeout against TCP keepalive (keepalive) and vmxnet3 checksum offload (offload), where the node shows them. Swarm-wide, under the grid: each overlay's addresses (capacity: warns from 75% used, fails when full, naming the tasks it strands); tasks that cannot join their network or sit unstarted (task-errors), per service and node; each encrypted overlay (pings over it between nodes, each kernel's IPsec, ESP through the firewalls); and a proxy published in ingress mode, which hides every client's address (client-address). `--check capacity --check task-errors` runs only those, without connecting to any node. Each check passes, warns or fails with a one-line hint; a node that cannot be reached is a failed row. Exits 1 when a check fails. --fix replaces the stale forwarding and neighbour entries found (after asking, default No; --yes answers), over the same SSH connections, then checks again."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> node-2 node-3', '<%= config.bin %> <%= command.id %> --check port --check consistency', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --fix']
  static strict = false
  static args = {nodes: Args.string({description: 'nodes to check (hostname, id or address); default all'})}
  static flags = {
    check: Flags.string({multiple: true, multipleNonGreedy: true, summary: 'Run only this check (repeatable), e.g. port, mtu, consistency; default all.'}),
    network: Flags.string({multiple: true, multipleNonGreedy: true, summary: 'Look only at this overlay in the network checks (repeatable); default all.'}),
    fix: Flags.boolean({summary: 'Replace the stale VXLAN forwarding and neighbour entries found (asks first), then check again.'}),
    yes: Flags.boolean({char: 'y', summary: 'With --fix: repair without asking.'}),
  }

  async run(): Promise<DoctorResult> {
    const {flags} = this
    checkCheckNames(flags.check ?? [])
    checkFlagNeeds({yes: flags.yes, fix: flags.fix}, {yes: 'fix'})
    // Refused before anything connects: nothing can be confirmed, so nothing may change.
    if (flags.fix && !flags.yes && !canPrompt({json: this.jsonEnabled()})) throw new UsageError('doctor --fix changes forwarding entries on the nodes and needs confirmation; pass --yes (no terminal to ask on)')
    const cluster = await this.cluster()
    const nodes = this.positional
    const fix = flags.fix ? {confirm: (repairs: Repair[]) => this.confirmRepairs(repairs, flags.yes)} : undefined
    // No spinner under --fix: the question may come while it would spin.
    const result = await withSpinner('Checking every node', () => doctor(cluster, {nodes, checks: flags.check, networks: flags.network, fix}), {quiet: this.jsonEnabled() || flags.fix})
    if (!this.jsonEnabled()) this.log(renderDoctor(result)) // under --json nothing is logged: no table to draw
    if (!result.ok) {
      const failed = [
        ...result.nodes.flatMap((n) => n.checks.filter((c) => c.status === 'fail').map((c) => ({who: n.node, cause: c.name}))),
        ...result.swarm.filter((f) => f.status === 'fail').map((f) => ({who: f.subject, cause: f.name})),
      ]
      throw new SwarmnetError(`${failed.length} check(s) failed: ${describeCauses(failed)}`).withDetails(result)
    }

    return result
  }

  private async confirmRepairs(repairs: Repair[], yes: boolean): Promise<boolean> {
    if (!this.jsonEnabled()) for (const x of repairs) note(`${x.node}: ${x.problem}\n    ${x.command}`)
    return confirmDestructive({question: `Run these ${repairs.length} command(s) on the nodes?`, action: 'doctor --fix', yes, json: this.jsonEnabled()})
  }
}
