import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import type {Check, DataPath, Reached} from './checks.js'
import {encryptedCheck} from './swarm/encrypted.js'
import {capacityFindings} from './swarm/capacity.js'
import {clientAddressCheck} from './swarm/client-address.js'
import {taskErrorFindings} from './swarm/task-errors.js'

// Findings about the swarm as a whole, pure: a network, a service or a task, named, with the fix.
// Node-level findings stay in checks.ts (one row per node); these are listed under the grid.

export interface SwarmFinding extends Check {
  /** What it is about, as the user names it: "network tiny", "service web", "task web.3 (node-2)". */
  subject: string
}

export interface SwarmContext {
  nodes: SwarmNode[]
  services: ServiceSummary[]
  networks: NetworkSummary[]
  /** Every task the manager knows, whatever its state (stuck ones are what some checks look for). */
  tasks: TaskSummary[]
  /** The nodes doctor reached over SSH: their facts (IPsec included) and firewalls. */
  reached?: Reached[]
  /** Pings over each encrypted overlay between its containers on different nodes, by network name. */
  encryptedProbes?: (DataPath & {network: string})[]
  /** True when `doctor --network` chose `networks` (else they are all the swarm's networks). */
  networksChosen?: boolean
  /** The swarm's data-path (VXLAN) port; 4789 when absent. */
  dataPathPort?: number
  /** The time checks measure waits against (ms since the epoch); now when absent. */
  now?: number
}

/** A check over the whole swarm: every finding it makes, passes included, so a healthy swarm says what was checked. */
export type SwarmCheck = (context: SwarmContext) => SwarmFinding[]

/** The swarm-wide checks, by the name `doctor --check` takes. */
export const SWARM_CHECKS: Record<string, SwarmCheck> = {
  capacity: capacityFindings,
  'task-errors': taskErrorFindings,
  encrypted: encryptedCheck,
  'client-address': clientAddressCheck,
}

export function swarmChecks(context: SwarmContext, names: string[] = Object.keys(SWARM_CHECKS)): SwarmFinding[] {
  return names.flatMap((name) => SWARM_CHECKS[name](context))
}
