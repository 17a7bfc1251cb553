import type {Engine, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {formatSeconds} from '../core/duration.js'
import {SwarmnetError} from '../core/errors.js'

const POLL_MS = 250
const TRANSITIONAL = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'])

/** One node's share of a service: how many of its tasks run, of those that should. */
export interface NodeProgress {
  node: string
  running: number
  desired: number
  /** The states of its tasks not yet running, e.g. "preparing". */
  states: string[]
}

export interface Convergence {
  running: number
  desired: number
  nodes: NodeProgress[]
  /** Distinct errors of this service's tasks (latest first), e.g. "No such image: x". */
  errors: string[]
  converged: boolean
}

export interface Converged extends Convergence {
  /** When the last task reached running, per the swarm. */
  lastRunningAt?: string
  /** When swarmnet saw it. */
  noticedAt: string
  tasks: TaskSummary[]
}

/**
 * Polls the manager (every 250 ms) until every task the service should run is running, calling
 * `onChange` with a per-node view whenever it changes. After `timeoutMs` fails with the tasks' own
 * errors (an image that cannot be pulled, no suitable node, a port already taken).
 */
export async function waitForConvergence(engine: Engine, serviceId: string, options: {timeoutMs: number; since?: string; fresh?: boolean; onChange?: (view: Convergence) => void}): Promise<Converged> {
  const deadline = Date.now() + options.timeoutMs
  const nodes = new Map((await engine.listNodes()).map((n) => [n.id, n]))
  let last = ''
  for (;;) {
    const [services, tasks] = await Promise.all([engine.listServices({status: true}), engine.listTasks({service: serviceId})])
    const service = services.find((s) => s.id === serviceId)
    if (!service) throw new SwarmnetError(`service ${serviceId} was removed while swarmnet waited for it`)
    const update = options.fresh ? updateOf(service, options.since) : undefined
    if (update?.state === 'paused' || update?.state.startsWith('rollback')) {
      throw new SwarmnetError(`update ${update.state.replace('_', ' ')}${update.message ? `: ${update.message}` : ''}`)
    }

    // An update the updater has begun must complete; one it never reports counts once every task is new.
    const view = convergence(service.status, tasks, nodes, {...options, updating: update !== undefined && update.state !== 'completed'})
    const text = JSON.stringify(view)
    if (text !== last) options.onChange?.(view)
    last = text
    if (view.converged) {
      const active = tasks.filter((t) => t.desiredState === 'running')
      const lastRunningAt = active.map((t) => t.stateSince).sort().at(-1)
      return {...view, lastRunningAt, noticedAt: new Date().toISOString(), tasks: active}
    }

    if (Date.now() >= deadline) {
      const errors = view.errors.length > 0 ? `; ${view.errors.join('; ')}` : ''
      throw new SwarmnetError(`not running after ${formatSeconds(options.timeoutMs)}: ${counts(view)} tasks running${errors}`).withDetails(view)
    }

    await new Promise((resolve) => {
      setTimeout(resolve, POLL_MS)
    })
  }
}

/** The service's rolling update that started at or after `since`, if the updater has begun it. */
function updateOf(service: ServiceSummary, since: string | undefined): ServiceSummary['update'] {
  const update = service.update
  if (!update || (since && Date.parse(update.startedAt) < Date.parse(since))) return undefined
  return update
}

/**
 * The per-node picture of a service's tasks. Errors count only from tasks created since `since`
 * (the manager's clock); with `fresh`, tasks older than that are being replaced and do not count.
 */
export function convergence(status: {running: number; desired: number} | undefined, tasks: TaskSummary[], nodes: Map<string, SwarmNode>, options: {since?: string; fresh?: boolean; updating?: boolean} = {}): Convergence {
  const since = options.since ? Date.parse(options.since) : undefined
  const isNew = (t: TaskSummary) => since === undefined || Date.parse(t.createdAt) >= since
  const active = tasks.filter((t) => t.desiredState === 'running')
  const perNode = new Map<string, NodeProgress>()
  for (const task of active) {
    const name = nodes.get(task.nodeId)?.hostname ?? (task.nodeId ? task.nodeId.slice(0, 12) : '(unassigned)')
    const entry = perNode.get(name) ?? {node: name, running: 0, desired: 0, states: []}
    entry.desired++
    if (task.state === 'running') entry.running++
    else entry.states.push(task.state)
    perNode.set(name, entry)
  }

  const recent = tasks.filter(isNew).sort((a, b) => b.stateSince.localeCompare(a.stateSince))
  const errors = [...new Set(recent.flatMap((t) => (t.error ? [`${t.error}${t.state === 'pending' ? '' : ` (${t.state})`}`] : [])))]
  const running = active.filter((t) => t.state === 'running').length
  const desired = status?.desired ?? active.length
  const settled = !active.some((t) => TRANSITIONAL.has(t.state)) && (!options.fresh || active.every(isNew))
  const converged = desired > 0 && running === desired && active.length === desired && settled && !options.updating
  return {running, desired, nodes: [...perNode.values()].sort((a, b) => a.node.localeCompare(b.node, undefined, {numeric: true})), errors, converged}
}

/** "node-1 1/1  node-2 0/1 preparing": one line of the live view. */
export function describeConvergence(view: Convergence): string {
  const nodes = view.nodes.map((n) => `${n.node} ${n.running}/${n.desired}${n.states.length > 0 ? ` ${[...new Set(n.states)].join(',')}` : ''}`)
  return `${counts(view)} running${nodes.length > 0 ? `  [${nodes.join('  ')}]` : ''}${view.errors[0] ? `  last error: ${view.errors[0]}` : ''}`
}

function counts(view: Convergence): string {
  return view.desired > 0 ? `${view.running}/${view.desired}` : String(view.running)
}
