import {SwarmnetError, UsageError, reasonOf} from '../errors.js'
import type {ConfigComparison} from '../haproxy/compare.js'
import type {HaproxyConfig} from '../haproxy/parse.js'
import {canPrompt, chooseOne} from '../interactive.js'
import {maskSecrets} from '../proxy/client.js'
import {findProxy} from '../proxy/find.js'
import {type Cluster, type ProxyReplica, proxyReplicas} from '../proxy/replicas.js'

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
}

export interface ReplicaCfg {
  node: string
  task: string
  taskId: string
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
  replicas: ReplicaCfg[]
  /** Every replica that could be read holds the same bytes. */
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
  const {replicas, pending} = await proxyReplicas(cluster, proxy, {waitMs: 0})
  if (replicas.length === 0) throw new SwarmnetError(`the proxy service ${proxy.name} has no running task${pending[0] ? ` (${pending[0].task} is ${pending[0].state}${pending[0].error ? `: ${pending[0].error}` : ''})` : ''}`)
  const chosen = pick(replicas, input)
  const read = await Promise.all(chosen.map((replica) => readReplica(cluster, replica)))
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

  const result: CfgResult = {proxy: proxy.name, replicas: read, identical: groups.length <= 1, groups, masked}
  if (input.raw) return result
  // The parser and the differ load only when the file is to be understood, not just printed.
  const [{parseHaproxyConfig}, {compareConfigs}] = await Promise.all([import('../haproxy/parse.js'), import('../haproxy/compare.js')])
  for (const r of readable) r.config = parseHaproxyConfig(r.text!)
  if (readable.length > 1) result.comparison = compareConfigs(readable.map((r) => ({label: r.task, text: r.text!})))
  return result
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

/** --node or --task narrow the replicas to one; an unknown one lists those there are. */
function pick(replicas: ProxyReplica[], input: CfgInput): ProxyReplica[] {
  const list = () => replicas.map((r) => `${r.task} (${r.taskId.slice(0, 12)}) on ${r.node.hostname}`).join(', ')
  if (input.node !== undefined && input.task !== undefined) throw new UsageError('give --node or --task, not both')
  if (input.node !== undefined) {
    const found = replicas.filter((r) => [r.node.hostname, r.node.id, r.node.address].includes(input.node!))
    if (found.length === 0) throw new UsageError(`no running proxy replica on node "${input.node}"; replicas: ${list()}`)
    return found
  }

  if (input.task !== undefined) {
    const found = replicas.filter((r) => r.taskId.startsWith(input.task!) || r.task === input.task)
    if (input.task.length < 3 || found.length !== 1) throw new UsageError(`no single running proxy replica matches task "${input.task}"; replicas: ${list()}`)
    return found
  }

  return replicas
}

async function readReplica(cluster: Cluster, replica: ProxyReplica): Promise<ReplicaCfg> {
  const row: ReplicaCfg = {node: replica.node.hostname, task: replica.task, taskId: replica.taskId}
  try {
    const route = await (await cluster.nodeEngines()).forNode(replica.node)
    row.engine = route.via === 'manager' ? `manager ${route.engine.target}` : `${route.via} ${route.engine.target}`
    const container = replica.containerId ?? (await route.engine.listContainers({labels: [`com.docker.swarm.task.id=${replica.taskId}`]}))[0]?.id
    if (!container) throw new SwarmnetError(`no container of task ${replica.taskId.slice(0, 12)} on ${replica.node.hostname}`)
    row.container = container.slice(0, 12)
    const file = await route.engine.readContainerFile(container, CFG_PATH)
    row.text = file.toString('utf8')
    row.bytes = file.length
  } catch (error) {
    row.error = reasonOf(error)
  }

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
