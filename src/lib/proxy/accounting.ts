import type {ServiceSummary} from '../docker/engine.js'
import {reasonOf} from '../core/errors.js'
import {ConnectFailed} from './http.js'
import {type Cluster, type PendingReplica, type ProxyReplica, proxyReplicas} from './replicas.js'

/** A desired replica that was not read, and why: its state ("preparing", "starting", "not created"...) and reason. */
export interface NotRead {
  task: string
  /** "" when Swarm has not made the task yet. */
  taskId: string
  node: string
  state: string
  reason: string
}

/** Every desired replica accounted for: read ones with what was read, the others named. */
export interface Accounted<T> {
  /** How many replicas should run (M): never fewer than the service's desired task count. */
  desired: number
  read: {replica: ProxyReplica; value: T}[]
  /** Replicas whose task could be asked, but the read failed (after waiting, when the failure could pass). */
  failed: {replica: ProxyReplica; error: string}[]
  /** Replicas whose task is not there or not up yet. */
  pending: PendingReplica[]
}

/**
 * Failures a replica that is coming up gives (nothing listens yet, its container is being replaced),
 * worth asking again; others (an SSH key refused, nc missing) are reported at once.
 */
export function passing(error: unknown): boolean {
  if (error instanceof ConnectFailed) return true
  return /no such container|is not running|reports no container|no container of task|is restarting/i.test(reasonOf(error))
}

/**
 * Reads every replica the proxy should have with `read`, waiting up to `waitMs` for those that cannot
 * be read yet: tasks not made, pending, preparing or starting without a container, and APIs that do
 * not answer yet. The tasks are listed again after the reads, so what is reported is the set of
 * replicas as it stands after them: a replica replaced meanwhile counts as its replacement, not read.
 * `only` narrows the replicas (e.g. to one node); M then counts those.
 */
export async function readEveryReplica<T>(
  cluster: Cluster,
  proxy: ServiceSummary,
  read: (replica: ProxyReplica) => Promise<T>,
  options: {waitMs: number; only?: (replica: {task: string; taskId: string; node: {id: string; hostname: string; address: string}}) => boolean},
): Promise<Accounted<T>> {
  const deadline = Date.now() + options.waitMs
  const done = new Map<string, {replica: ProxyReplica; value: T}>()
  const errors = new Map<string, {error: string; final: boolean}>()
  for (;;) {
    const set = narrow(await proxyReplicas(cluster, proxy, {waitMs: 0}), options.only)
    const toRead = set.replicas.filter((r) => !done.has(r.taskId) && !errors.get(r.taskId)?.final)
    await Promise.all(
      toRead.map(async (replica) => {
        try {
          done.set(replica.taskId, {replica, value: await read(replica)})
          errors.delete(replica.taskId)
        } catch (error) {
          errors.set(replica.taskId, {error: reasonOf(error), final: !passing(error)})
        }
      }),
    )
    // The reads took time: the replicas as they stand now are what the answer speaks for.
    const after = narrow(await proxyReplicas(cluster, proxy, {waitMs: 0}), options.only)
    const settled = after.pending.length === 0 && after.replicas.every((r) => done.has(r.taskId) || errors.get(r.taskId)?.final)
    if (settled || Date.now() >= deadline) {
      return {
        desired: after.desired,
        read: after.replicas.flatMap((r) => {
          const got = done.get(r.taskId)
          return got ? [{replica: r, value: got.value}] : []
        }),
        failed: after.replicas.filter((r) => !done.has(r.taskId)).map((r) => ({replica: r, error: errors.get(r.taskId)?.error ?? 'not read yet (it appeared while the others were read)'})),
        pending: after.pending,
      }
    }

    await new Promise((resolve) => {
      setTimeout(resolve, 300)
    })
  }
}

function narrow(set: Awaited<ReturnType<typeof proxyReplicas>>, only: ((r: {task: string; taskId: string; node: {id: string; hostname: string; address: string}}) => boolean) | undefined) {
  if (!only) return set
  const replicas = set.replicas.filter(only)
  const pending = set.pending.filter(only)
  return {replicas, pending, desired: replicas.length + pending.length}
}

/** The accounting's not-read replicas, one list: failed reads and replicas not up, with their state. */
export function notReadOf(accounted: Pick<Accounted<unknown>, 'failed' | 'pending'>): NotRead[] {
  return [
    ...accounted.failed.map(({replica, error}) => ({task: replica.task, taskId: replica.taskId, node: replica.node.hostname, state: replica.state, reason: error})),
    ...accounted.pending.map((p) => ({task: p.task, taskId: p.taskId, node: p.node.hostname, state: p.state, reason: p.error ?? `task is ${p.state}`})),
  ]
}

/** "proxy.node-2 (starting: connection refused); proxy.3 (not created)": the not-read replicas, one line. */
export function describeNotRead(notRead: NotRead[]): string {
  return notRead.map((r) => `${r.task}${r.node && !r.node.startsWith('(') ? ` on ${r.node}` : ''} (${r.state}: ${r.reason})`).join('; ')
}
