import {type CapacityCounts, type NetworkCapacity, NOT_STARTED, tallyNetworks} from '../../network/capacity.js'
import type {SwarmContext, SwarmFinding} from '../swarm-checks.js'

// Overlay address exhaustion (moby#43052, #37338, #37864, #35268; docker-flow-proxy#88): a full overlay
// leaves new tasks in New or Preparing with no error anywhere. What is counted: see network/capacity.ts.

/** From this share of its addresses used, a network is about to strand new tasks (Docker's ip-util-check warns at ~75–80%). */
export const WARN_PERCENT = 75

/** One finding per overlay chosen: pass, warn from 75%, fail when full (naming the tasks it strands). */
export function capacityFindings(context: SwarmContext): SwarmFinding[] {
  const overlays = context.networks.filter((n) => n.driver === 'overlay')
  // Counts first: only a network that is not passing is named task by task.
  return tallyNetworks(overlays, context).map((t, i) => finding(t.counts.free > 0 && t.counts.percent < WARN_PERCENT ? {...t.counts, network: overlays[i].name} : t.detail(), overlays[i].ingress))
}

function finding(c: (CapacityCounts & {network: string}) | NetworkCapacity, ingress: boolean): SwarmFinding {
  const base = {name: 'capacity', subject: `network ${c.network}`}
  if (c.size === 0) return {...base, status: 'skip', detail: 'no subnet allocated yet'}
  const use = `${c.used}/${c.size} addresses used (${c.percent}%: ${c.vips} VIP, ${c.tasks} task, ${c.lbEndpoints} load-balancer endpoint)`
  if (c.free > 0 && c.percent < WARN_PERCENT) return {...base, status: 'pass', detail: use}
  const stuck = 'waitingTasks' in c ? stuckTasks(c) : []
  const naming = stuck.length > 0 ? `; ${stuck.length} task(s) stuck: ${stuck.join(', ')}` : ''
  const wanted = c.vips + c.tasks + c.lbEndpoints + c.waiting
  const fix = ingress
    ? `recreate ingress with a larger --subnet (with no service publishing ports: docker network rm ingress; docker network create --driver overlay --ingress --subnet ... ingress), since every node takes one address on it`
    : `a larger --subnet (a new network: a subnet cannot grow; it needs ${wanted} or more${wanted > c.size ? `, a /${prefixFor(wanted * 2)} leaves room` : ''}), fewer replicas${c.vips > 0 ? `, or --endpoint-mode dnsrr to save the VIP${c.vips > 1 ? 's' : ''}` : ''}`
  if (c.free === 0) return {...base, status: 'fail', detail: `full: ${use}${naming}`, hint: `new tasks on ${c.network} get no address and stay in New or Preparing, with no error shown: ${fix}`}
  return {...base, status: 'warn', detail: `${use}${naming}`, hint: `${c.free} address(es) left: scaling up and rolling updates (new tasks start first) will stall there; plan for it: ${fix}`}
}

/** Tasks on the network that have not started: the ones waiting for an address, then those holding one but not running. */
function stuckTasks(c: NetworkCapacity): string[] {
  const label = (t: {task: string; state: string; node: string}) => `${t.task} (${t.state}${t.node ? `, ${t.node}` : ''})`
  return [...c.waitingTasks.filter((t) => NOT_STARTED.has(t.state)), ...c.taskAddresses.filter((t) => NOT_STARTED.has(t.state))].map(label)
}

/** The IPv4 prefix whose usable addresses (less network, broadcast, gateway) hold `count`. */
function prefixFor(count: number): number {
  let prefix = 30
  while (prefix > 8 && 2 ** (32 - prefix) - 3 < count) prefix--
  return prefix
}
