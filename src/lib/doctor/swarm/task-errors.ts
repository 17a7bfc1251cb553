import type {ServiceSummary, TaskSummary} from '../../docker/engine.js'
import {taskName} from '../../docker/tasks.js'
import {NOT_STARTED} from '../../network/capacity.js'
import type {SwarmContext, SwarmFinding} from '../swarm-checks.js'

// Tasks that cannot join their network (moby#31698, #31111, #25215): the error is on the task, which
// `docker service ps` truncates and nothing else shows. Looked at per slot (a replica, or a global
// service's node): only its latest task says whether the trouble goes on.

/** A task not started after this long is stuck, not starting. */
export const STUCK_MS = 60_000

/** Each cause the check knows, with the fix. */
const CAUSES: {pattern: RegExp; hint: string}[] = [
  {pattern: /network sandbox join failed|failed to create endpoint|error creating external connectivity network|docker_gwbridge/i, hint: 'the node could not attach the task to the overlay: check that docker_gwbridge exists on that node and that the network has free addresses (see capacity); a stale endpoint clears with `docker network disconnect -f NET ENDPOINT` or a restart of that node\'s dockerd (moby#31698, #31111, #25215)'},
  {pattern: /could not find an available IP|failed to allocate network IP|no available IP|address pool.*exhausted/i, hint: 'the overlay is out of addresses (see capacity): a larger --subnet, fewer replicas, or --endpoint-mode dnsrr to save the VIP'},
  {pattern: /no suitable node/i, hint: 'no node meets the service\'s constraints, resources or platform: check its placement (`docker service inspect --format "{{json .Spec.TaskTemplate.Placement}}"`) against the nodes\' labels and availability'},
]

const STUCK_HINT = 'a task not started for this long waits for something: an address on a full overlay (see capacity), a node that fits, or its image on the node; `docker service ps --no-trunc SERVICE` shows its message'

/** Per service and node: the latest task of each slot that failed to join its network, or is stuck; one pass when none is. */
export function taskErrorFindings(context: SwarmContext): SwarmFinding[] {
  const now = context.now ?? Date.now()
  const nodes = new Map(context.nodes.map((n) => [n.id, n]))
  const inScope = scopedServices(context)
  // Each service's slots, counted; a slot's history is gathered only when one of its tasks should run
  // but does not (the only way its latest task can be in trouble): on a healthy swarm, none is.
  const slotsOf = new Map<string, Set<number | string>>()
  const troubled = new Map<string, Set<number | string>>()
  for (const task of context.tasks) {
    if (!inScope.has(task.serviceId)) continue
    const slot = task.slot ?? task.nodeId
    add(slotsOf, task.serviceId, slot)
    if (task.desiredState === 'running' && task.state !== 'running') add(troubled, task.serviceId, slot)
  }

  const slots = new Map<string, TaskSummary[]>()
  if (troubled.size > 0) {
    for (const task of context.tasks) {
      if (!troubled.get(task.serviceId)?.has(task.slot ?? task.nodeId)) continue
      const key = `${task.serviceId} ${task.slot ?? task.nodeId}`
      const list = slots.get(key)
      if (list) list.push(task)
      else slots.set(key, [task])
    }
  }

  const groups = new Map<string, {service: ServiceSummary; node: string; detail: string; hint: string; status: 'fail' | 'warn'; tasks: string[]}>()
  for (const history of slots.values()) {
    history.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    const latest = history[0]
    if (latest.state === 'running' || latest.desiredState !== 'running') continue
    const service = inScope.get(latest.serviceId)!
    // The latest attempt, or one just before it (a replacement waiting out its restart delay), says why.
    const failed = history.slice(0, 3).find((t) => causeOf(t))
    const cause = failed ? causeOf(failed)! : undefined
    const waited = now - Date.parse(latest.stateSince)
    if (!cause && !(NOT_STARTED.has(latest.state) && waited >= STUCK_MS)) continue
    const node = nodes.get((failed ?? latest).nodeId)?.hostname ?? ''
    const text = cause
      ? `${failed!.state}: ${failed!.error || failed!.message}`
      : `${latest.state} for ${Math.round(waited / 1000)}s${latest.error || latest.message ? `: ${latest.error || latest.message}` : ''}`
    const key = `${service.id} ${node} ${text.replace(/ for \d+s/, '')}`
    const group = groups.get(key) ?? {service, node, detail: text, hint: cause?.hint ?? STUCK_HINT, status: cause ? 'fail' : 'warn', tasks: []}
    group.tasks.push(taskName(service, latest, nodes))
    groups.set(key, group)
  }

  if (groups.size === 0) {
    return [{name: 'task-errors', subject: 'tasks', status: 'pass', detail: `${slotCount(slotsOf)} task slot(s) of ${inScope.size} service(s): none failed to join its network or is stuck`}]
  }

  return [...groups.values()].map((g) => ({
    name: 'task-errors',
    subject: `service ${g.service.name}${g.node ? ` (${g.node})` : ''}`,
    status: g.status,
    detail: `${g.tasks.sort((a, b) => a.localeCompare(b, undefined, {numeric: true})).join(', ')} ${g.detail}`,
    hint: g.hint,
  }))
}

function add(sets: Map<string, Set<number | string>>, serviceId: string, slot: number | string): void {
  const set = sets.get(serviceId)
  if (set) set.add(slot)
  else sets.set(serviceId, new Set([slot]))
}

function slotCount(sets: Map<string, Set<number | string>>): number {
  let count = 0
  for (const set of sets.values()) count += set.size
  return count
}

function causeOf(task: TaskSummary): (typeof CAUSES)[number] | undefined {
  const text = `${task.error ?? ''} ${task.message}`
  return CAUSES.find((c) => c.pattern.test(text))
}

/** The services looked at: those attached to the networks doctor was given (all services when it was not). */
function scopedServices(context: SwarmContext): Map<string, ServiceSummary> {
  const ids = new Set(context.networks.map((n) => n.id))
  const services = context.networksChosen ? context.services.filter((s) => s.networks.some((a) => ids.has(a.id))) : context.services
  return new Map(services.map((s) => [s.id, s]))
}
