import type {ServiceSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError} from '../core/errors.js'
import type {ConfigComparison} from '../haproxy/compare.js'
import type {HaproxyConfig} from '../haproxy/model.js'
import {canPrompt, chooseOne} from '../ui/interactive.js'
import {maskSecrets} from '../proxy/client.js'
import {type NotRead, notReadOf, readEveryReplica} from '../proxy/accounting.js'
import {findProxy} from '../proxy/find.js'
import {type Cluster, type NodeRef, type PendingReplica, type ProxyReplica, proxyReplicas} from '../proxy/replicas.js'

/** Where docker-flow-proxy writes its configuration (both generations). */
export const CFG_PATH = '/cfg/haproxy.cfg'

export interface CfgInput {
  /** Only the bytes are wanted: nothing is parsed or compared. */
  raw?: boolean
  proxy?: string
  node?: string
  task?: string
  json: boolean
  /** Print passwords in userlists as they are (they are masked otherwise). */
  showSecrets: boolean
  /** How long to wait for replicas that should run but cannot be read yet (default 0: not at all). */
  waitMs?: number
}

export interface ReplicaCfg {
  node: string
  task: string
  /** "" for a replica Swarm has not made a task for yet. */
  taskId: string
  /** The task's state: "running", "starting" (a healthcheck has not passed yet), "preparing", "not created"... */
  state: string
  /** How the node's engine was reached: "manager", "ssh ssh://root@10.213.0.12:22", ... */
  engine?: string
  container?: string
  /** The file as read (passwords masked unless asked for). */
  text?: string
  bytes?: number
  config?: HaproxyConfig
  error?: string
}

export interface CfgResult {
  proxy: string
  /** One row per replica the proxy should have (read or not). */
  replicas: ReplicaCfg[]
  /** Replicas read, of those the proxy should have (or of those --node/--task chose). */
  read: number
  desired: number
  /** The desired replicas not read, with their state and why. */
  notRead: NotRead[]
  /** Every replica that could be read holds the same bytes (see `read`/`desired` for whether all could). */
  identical: boolean
  /** Which replicas hold the same file. */
  groups: {replicas: string[]; bytes: number}[]
  /** With two or more readable replicas: routes one lacks, and unified diffs. */
  comparison?: ConfigComparison
  /** How many passwords were masked in what is shown (per file). */
  masked: number
}

/**
 * The book's four steps (`docker service ps`, `eval $(docker-machine env $NODE)`, `docker ps
 * --filter`, `docker exec cat /cfg/haproxy.cfg`) for every replica at once: each task's node is
 * reached through the per-node engines, its container found by the task, and the file read through
 * the Docker API. Replicas are read concurrently; one that cannot be read is a failed row.
 */
export async function inspectCfg(cluster: Cluster, input: CfgInput): Promise<CfgResult> {
  void cluster.nodeEngines().catch(() => {}) // starts loading while the manager is asked
  const proxy = await findProxy(cluster.engine, {name: input.proxy, json: input.json})
  const only = await pick(cluster, proxy, input)
  // Every replica the proxy should have is waited for (up to --wait) until its file could be read.
  // What was learnt on the way (engine, container) stays on a row whose read failed.
  const partial = new Map<string, ReplicaCfg>()
  const accounted = await readEveryReplica(cluster, proxy, (replica) => readReplica(cluster, replica, partial), {waitMs: input.waitMs ?? 0, only})
  if (accounted.read.length === 0 && accounted.failed.length === 0) {
    const first = accounted.pending[0]
    throw new SwarmnetError(`the proxy service ${proxy.name} has no running task${first ? ` (${first.task} is ${first.state}${first.error ? `: ${first.error}` : ''})` : ''}`)
  }

  const read = [
    ...accounted.read.map(({value}) => value),
    ...accounted.failed.map(({replica, error}) => ({...(partial.get(replica.taskId) ?? rowOf(replica)), state: replica.state, error})),
    ...accounted.pending.map((p) => ({...rowOf(p), error: p.error ?? `task is ${p.state}`})),
  ].sort((a, b) => a.task.localeCompare(b.task, undefined, {numeric: true}))
  const readable = read.filter((r) => r.text !== undefined)
  const groups = sameBytes(readable)
  let masked = 0
  for (const r of readable) {
    if (!input.showSecrets) {
      const shown = maskSecrets(r.text!)
      masked = Math.max(masked, countMasked(r.text!, shown))
      r.text = shown
    }
  }

  const result: CfgResult = {proxy: proxy.name, replicas: read, read: readable.length, desired: accounted.desired, notRead: notReadOf(accounted), identical: groups.length <= 1, groups, masked}
  if (input.raw) return result
  // The parser and the differ load only when the file is to be understood, not just printed.
  const [{parseHaproxyConfig}, {compareConfigs}] = await Promise.all([import('../haproxy/parse.js'), import('../haproxy/compare.js')])
  for (const r of readable) r.config = parseHaproxyConfig(r.text!)
  if (readable.length > 1) result.comparison = compareConfigs(readable.map((r) => ({label: r.task, text: r.text!})))
  return result
}

function rowOf(replica: ProxyReplica | PendingReplica): ReplicaCfg {
  return {node: replica.node.hostname, task: replica.task, taskId: replica.taskId, state: replica.state}
}

/** Replicas grouped by identical files (before masking, so differing passwords count), largest group first. */
function sameBytes(replicas: ReplicaCfg[]): CfgResult['groups'] {
  const byText = new Map<string, string[]>()
  for (const r of replicas) byText.set(r.text!, [...(byText.get(r.text!) ?? []), r.task])
  return [...byText].map(([text, tasks]) => ({replicas: tasks, bytes: Buffer.byteLength(text)})).sort((a, b) => b.replicas.length - a.replicas.length)
}

function countMasked(before: string, after: string): number {
  return before === after ? 0 : (after.match(/\*\*\*/g) ?? []).length - (before.match(/\*\*\*/g) ?? []).length
}

/**
 * --node or --task narrow the replicas to one (any task that should run, up or not); an unknown one
 * lists those there are. Without either, every replica counts.
 */
async function pick(cluster: Cluster, proxy: ServiceSummary, input: CfgInput): Promise<((r: {task: string; taskId: string; node: NodeRef}) => boolean) | undefined> {
  if (input.node !== undefined && input.task !== undefined) throw new UsageError('give --node or --task, not both')
  if (input.node === undefined && input.task === undefined) return undefined
  const set = await proxyReplicas(cluster, proxy, {waitMs: 0})
  const all = [...set.replicas, ...set.pending.filter((p) => p.taskId !== '')]
  const list = () => all.map((r) => `${r.task} (${r.taskId.slice(0, 12)}) on ${r.node.hostname}`).join(', ')
  if (input.node !== undefined) {
    const onNode = (r: {node: NodeRef}) => [r.node.hostname, r.node.id, r.node.address].includes(input.node!)
    if (!all.some(onNode)) throw new UsageError(`no proxy replica on node "${input.node}"; replicas: ${list()}`)
    return onNode
  }

  const isTask = (r: {task: string; taskId: string}) => (r.taskId !== '' && r.taskId.startsWith(input.task!)) || r.task === input.task
  if (input.task!.length < 3 || all.filter(isTask).length !== 1) throw new UsageError(`no single proxy replica matches task "${input.task}"; replicas: ${list()}`)
  return isTask
}

/** One replica's file, read through its node's Docker API; throws when it cannot be (the caller waits and names it). */
async function readReplica(cluster: Cluster, replica: ProxyReplica, partial: Map<string, ReplicaCfg>): Promise<ReplicaCfg> {
  const row = rowOf(replica)
  partial.set(replica.taskId, row)
  const route = await (await cluster.nodeEngines()).forNode(replica.node)
  row.engine = route.via === 'manager' ? `manager ${route.engine.target}` : `${route.via} ${route.engine.target}`
  const container = replica.containerId ?? (await route.engine.listContainers({labels: [`com.docker.swarm.task.id=${replica.taskId}`]}))[0]?.id
  if (!container) throw new SwarmnetError(`no container of task ${replica.taskId.slice(0, 12)} on ${replica.node.hostname}`)
  row.container = container.slice(0, 12)
  const file = await route.engine.readContainerFile(container, CFG_PATH)
  // A killed container's file can still be read, and the manager learns of the death a moment later:
  // only a file of a container still running (listed, docker ps style) speaks for the replica.
  if (!(await route.engine.listContainers({labels: [`com.docker.swarm.task.id=${replica.taskId}`]})).some((c) => c.id === container)) {
    throw new SwarmnetError(`container ${container.slice(0, 12)} of task ${replica.taskId.slice(0, 12)} is not running (being replaced)`)
  }

  row.text = file.toString('utf8')
  row.bytes = file.length
  return row
}

/** The one file --raw prints: the replicas' common file, the one asked for, or one picked on a terminal. */
export async function rawFile(result: CfgResult, json: boolean): Promise<ReplicaCfg> {
  const readable = result.replicas.filter((r) => r.text !== undefined)
  if (readable.length === 0) throw new SwarmnetError(`no replica could be read: ${result.replicas.map((r) => `${r.node} (${r.task}): ${r.error}`).join('; ')}`)
  if (result.identical) return readable[0]
  const names = readable.map((r) => `${r.task} on ${r.node}`).join(', ')
  if (!canPrompt({json})) throw new UsageError(`the replicas' files differ (${names}); choose one with --node NODE or --task ID`)
  return chooseOne({message: 'The replicas differ. Which one?', answeredBy: '--node', json, choices: readable.map((r) => ({name: `${r.task} on ${r.node}`, value: r}))})
}
