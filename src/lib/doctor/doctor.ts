import type {Cluster} from '../docker/cluster.js'
import type {Engine, NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {parseDockerHost} from '../docker/endpoint.js'
import {loadConfig} from '../core/config.js'
import {reasonOf} from '../core/errors.js'
import {findNode} from '../node/node.js'
import {type ProxyApiWarning, apiExposures} from '../proxy/exposure.js'
import type {SshSession} from '../ssh/ssh-client.js'
import {taskName} from '../docker/tasks.js'
import {UsageError} from '../core/errors.js'
import {invalid} from '../core/input.js'
import {type DataPath, NODE_CHECKS, type NodeReport, type PathMtu, type Reached, type View, checkFamily, report} from './checks.js'
import type {Repair} from './dataplane.js'
import {readFacts} from './facts.js'
import {parseFilterTable} from './iptables.js'
import {PATH_MTU_SCRIPT, overlayMtu, parsePathMtu} from './path-mtu.js'
import {SWARM_CHECKS, type SwarmFinding, swarmChecks} from './swarm-checks.js'

export interface DoctorResult {
  nodes: NodeReport[]
  /** Swarm-wide findings: networks, services and tasks, each named. */
  swarm: SwarmFinding[]
  /** Swarm-wide: a proxy whose unauthenticated API is published, with the addresses where it is open. */
  warnings: ProxyApiWarning[]
  /** SSH connections opened: one per node reached. */
  sshConnections: number
  ok: boolean
  /** With --fix: what was found to repair, whether it was confirmed, and each repair's outcome; the rows above are the re-check. */
  fix?: FixResult
}

export interface FixResult {
  confirmed: boolean
  repairs: (Repair & {ok: boolean; error?: string})[]
}

/** One reached node: its facts, its engine (over the same SSH connection), what went wrong. */
interface Connected extends Reached {
  session?: SshSession
  engine?: Engine
  /** The peers' ports this node's script probed: the re-check after --fix probes the same. */
  probes?: string[]
}

export interface DoctorOptions {
  /** Nodes to check (hostname, id or address); all when empty. */
  nodes: string[]
  /** Checks to run, by name (NODE_CHECKS and SWARM_CHECKS); all when empty or absent. */
  checks?: string[]
  /** Overlays the network-scoped checks look at (name or id); all when empty or absent. */
  networks?: string[]
  /** doctor --fix: asked once with every repair found (none asked when there are none); true applies them, then re-checks. */
  fix?: {confirm: (repairs: Repair[]) => Promise<boolean>}
}

/** Every name `--check` takes. */
export function checkNames(): string[] {
  return [...NODE_CHECKS, ...Object.keys(SWARM_CHECKS)]
}

/** Refuses an unknown check name before anything connects. */
export function checkCheckNames(names: string[]): void {
  const known = checkNames()
  for (const name of names) if (!known.includes(name)) throw invalid('--check', name, `one of ${known.join(', ')}`)
}

/** The overlays `--network` names, each known to the swarm, or a usage error naming the one that is not. */
function chosenNetworks(networks: NetworkSummary[], refs: string[]): NetworkSummary[] {
  if (refs.length === 0) return networks
  const overlays = networks.filter((n) => n.driver === 'overlay')
  return refs.map((ref) => {
    const found = overlays.find((n) => n.name === ref || n.id === ref) ?? overlays.find((n) => ref.length >= 3 && n.id.startsWith(ref))
    if (!found) throw new UsageError(`unknown overlay network "${ref}" for --network; the swarm's overlay networks are ${overlays.map((n) => n.name).join(', ') || 'none'}`)
    return found
  })
}

/**
 * The checks a swarm network needs, per node, over one SSH connection each, all nodes at once;
 * a node that cannot be reached is a failed row, not an abort.
 */
export async function doctor(cluster: Cluster, options: DoctorOptions): Promise<DoctorResult> {
  // The pool only informs the routes check: an engine that will not tell it costs that check its pool part, nothing more.
  const [allNodes, services, networks, allTasks, swarmSettings] = await Promise.all([cluster.engine.listNodes(), cluster.engine.listServices(), cluster.engine.listNetworks(), cluster.engine.listTasks(), cluster.engine.inspectSwarm().catch(() => undefined)])
  const dataPathPort = swarmSettings?.dataPathPort
  const tasks = allTasks.filter((t) => t.desiredState === 'running')
  const selected = options.checks && options.checks.length > 0 ? new Set(options.checks) : undefined
  const wanted = (name: string) => !selected || selected.has(name)
  const swarmNetworks = chosenNetworks(networks, options.networks ?? [])
  const chosen = options.nodes.length > 0 ? [...new Map(options.nodes.map((ref) => findNode(allNodes, ref)).map((n) => [n.id, n])).values()] : allNodes
  const managers = allNodes.filter((n) => n.role === 'manager')
  // Only swarm-wide checks from the manager's lists asked for (--check capacity): no node is reached.
  // The encrypted check is swarm-wide but reads every node (IPsec, firewalls) and pings over the overlays.
  const nodeWork = !selected || [...NODE_CHECKS, 'encrypted'].some((name) => selected.has(name))
  const reached = nodeWork ? await Promise.all(chosen.map((node) => reach(cluster, node, allNodes, managers))) : []
  try {
    const overlayTasks = tasks.filter((t) => t.state === 'running')
    const onNetwork = tasksOnNetworks(reached.some((r) => r.engine) ? overlayTasks : [])
    const probed = probeNetwork(reached, onNetwork, networks)
    const [pathMtu, encryptedProbes] = await Promise.all([
      probed ? probePathMtu(probed.network, probed.members) : undefined,
      wanted('encrypted') ? probeEncrypted(reached, onNetwork, swarmNetworks) : [],
    ])
    // One exec per container for both: a pair reached when any size crossed.
    const dataPath: DataPath = pathMtu
      ? {network: pathMtu.network, results: new Map([...pathMtu.largest].map(([pair, size]) => [pair, size > 0])), ...(pathMtu.note ? {note: pathMtu.note} : {})}
      : {results: new Map(), note: NO_PROBE_NETWORK}
    const views = await nodeViews(reached, overlayTasks, networks, services, allNodes)
    const context = {allNodes, managers, reached, services, networks, tasks: overlayTasks, dataPath, views, ...(swarmSettings ? {swarm: swarmSettings} : {}), ...(dataPathPort ? {dataPathPort} : {}), ...(pathMtu ? {pathMtu} : {})}
    let reports = reached.map((r) => report(r, context))
    let fix: FixResult | undefined
    if (options.fix) {
      fix = await repair(reached, reports, options.fix.confirm, cluster.timeoutMs)
      // The re-check: the repaired nodes' facts read again over their connections; the rest stands.
      if (fix.repairs.some((x) => x.ok)) reports = reached.map((r) => report(r, context))
    }

    // ssh and state always stay: without them a row cannot say why its other checks are missing.
    if (selected) for (const row of reports) row.checks = row.checks.filter((c) => ['ssh', 'state'].includes(c.name) || selected.has(checkFamily(c)))
    const warnings = apiExposures(services, tasks, allNodes)
    const swarm = swarmChecks({nodes: allNodes, services, networks: swarmNetworks, tasks: allTasks, reached, encryptedProbes, networksChosen: (options.networks ?? []).length > 0, now: Date.now(), ...(dataPathPort ? {dataPathPort} : {})}, Object.keys(SWARM_CHECKS).filter((name) => wanted(name)))
    const ok = reports.every((n) => n.checks.every((c) => c.status !== 'fail')) && swarm.every((f) => f.status !== 'fail')
    return {nodes: reports, swarm, warnings, sshConnections: reached.filter((r) => r.session).length, ok, ...(fix ? {fix} : {})}
  } finally {
    await Promise.all(reached.map((r) => (r.engine ? r.engine.close() : r.session?.close())))
  }
}

/** The node's SSH endpoint: a mapping in swarmnet's config when it names an ssh:// host, else its address. */
function sshEndpoint(node: SwarmNode): {host: string; port?: number; user?: string} {
  const mapping = loadConfig().nodes[node.hostname] ?? loadConfig().nodes[node.id] ?? loadConfig().nodes[node.address]
  if (mapping && 'host' in mapping && mapping.host.startsWith('ssh://')) {
    const endpoint = parseDockerHost(mapping.host, `config mapping for ${node.hostname}`)
    if (endpoint.kind === 'ssh') return endpoint
  }

  return {host: node.address}
}

async function reach(cluster: Cluster, node: SwarmNode, allNodes: SwarmNode[], managers: SwarmNode[]): Promise<Connected> {
  const reached: Connected = {node}
  try {
    const {openSshSession} = await import('../ssh/ssh-client.js')
    reached.session = await openSshSession(sshEndpoint(node), {configPath: cluster.settings.sshConfigPath, acceptNewHostKey: cluster.settings.acceptNewHostKey, timeoutMs: cluster.timeoutMs, env: cluster.settings.env})
    reached.via = reached.session.target
    const peers = allNodes.filter((n) => n.id !== node.id && n.address)
    reached.probes = peers.flatMap((peer) => [...(managers.some((m) => m.id === peer.id) ? [`${peer.address}:2377`] : []), `${peer.address}:7946`])
    reached.facts = await readFacts(reached.session, reached.probes, cluster.timeoutMs)
    if (reached.facts.iptables) reached.table = parseFilterTable(reached.facts.iptables)
    const {engineOverSsh} = await import('../docker/connect.js')
    reached.engine = await engineOverSsh(reached.session, cluster.timeoutMs)
  } catch (error) {
    reached.error = reasonOf(error)
  }

  return reached
}

/** One running container per reached node on a network, with its address there. */
interface Member {
  r: Connected
  task: TaskSummary
  ip: string
}

function membersOn(network: NetworkSummary, reached: Connected[], onNetwork: TasksOnNetworks): Member[] {
  const held = onNetwork.get(network.id) ?? []
  return reached.filter((r) => r.engine).flatMap((r) => {
    const found = held.find((h) => h.task.nodeId === r.node.id && h.task.containerId)
    return found ? [{r, task: found.task, ip: found.address}] : []
  })
}

const NO_PROBE_NETWORK = 'no overlay has running containers on two reached nodes to test the data path with'

/** Each network's tasks with their first address on it, in the task list's order: one pass, not one per node and network. */
type TasksOnNetworks = Map<string, {task: TaskSummary; address: string}[]>

function tasksOnNetworks(tasks: TaskSummary[]): TasksOnNetworks {
  const onNetwork: TasksOnNetworks = new Map()
  for (const task of tasks) {
    for (const {networkId, address} of task.addresses) {
      const list = onNetwork.get(networkId)
      if (!list) onNetwork.set(networkId, [{task, address}])
      else if (list.at(-1)!.task !== task) list.push({task, address}) // its first address there only
    }
  }

  return onNetwork
}

/**
 * The plain overlay shared by most reached nodes, with one container per node on it: what the data
 * path and its MTU are probed over. Encrypted overlays are left to their own probe, so IPsec trouble
 * is not taken for a blocked data-path port.
 */
function probeNetwork(reached: Connected[], tasks: TasksOnNetworks, networks: NetworkSummary[]): {network: NetworkSummary; members: Member[]} | undefined {
  let best: {network: NetworkSummary; members: Member[]} | undefined
  for (const network of networks.filter((n) => n.driver === 'overlay' && !n.ingress && !n.encrypted)) {
    const members = membersOn(network, reached, tasks)
    if (!best || members.length > best.members.length) best = {network, members}
  }

  return best && best.members.length >= 2 ? best : undefined
}

/**
 * Every member finds the largest packet that crosses to every other, all at once: one exec per
 * container, which is also the data path's test (a pair is reached when any size crossed).
 */
async function probePathMtu(network: NetworkSummary, members: Member[]): Promise<PathMtu> {
  const mtu = overlayMtu(network.options)
  const largest = new Map<string, number>()
  let note: string | undefined
  await Promise.all(members.map(async (from) => {
    const others = members.filter((m) => m !== from)
    try {
      // A lost ping waits 1 s; a search takes about ten pings, half of them lost, peer after peer.
      const output = await from.r.engine!.exec(from.task.containerId!, ['sh', '-c', PATH_MTU_SCRIPT, 'swarmnet-mtu', String(mtu), ...others.map((o) => o.ip)], {timeoutMs: 8000 + 6000 * others.length})
      if (output.exitCode === 126 || output.exitCode === 127) note = `no ping in the containers of ${network.name}`
      const sizes = parsePathMtu(output.stdout.toString())
      for (const other of others) largest.set(`${from.r.node.hostname}→${other.r.node.hostname}`, sizes.get(other.ip) ?? 0)
    } catch {
      // A container that cannot be reached tells nothing about the path.
    }
  }))
  return {network: network.name, mtu, largest, ...(note ? {note} : {})}
}

/** Each encrypted overlay probed the same way, all at once: one exec per container on it. */
async function probeEncrypted(reached: Connected[], tasks: TasksOnNetworks, networks: NetworkSummary[]): Promise<(DataPath & {network: string})[]> {
  return Promise.all(networks.filter((n) => n.driver === 'overlay' && n.encrypted).map(async (network) => {
    const members = membersOn(network, reached, tasks)
    if (members.length < 2) return {network: network.name, results: new Map(), note: 'no running containers on two reached nodes to probe it with'}
    return pingAcross(network, members)
  }))
}

/** Every member pings every other's address on the network: "from node → to node" answered or not. */
async function pingAcross(network: NetworkSummary, members: Member[]): Promise<DataPath & {network: string}> {
  const results = new Map<string, boolean>()
  // Every peer pinged at once, so a container's time is one ping's, however many nodes there are.
  const script = 'for ip in "$@"; do (if ping -c 1 -W 2 "$ip" >/dev/null 2>&1; then echo "$ip ok"; else echo "$ip fail"; fi) & done; wait'
  let note: string | undefined
  await Promise.all(members.map(async (from) => {
    const others = members.filter((m) => m !== from)
    try {
      const output = await from.r.engine!.exec(from.task.containerId!, ['sh', '-c', script, 'swarmnet-ping', ...others.map((o) => o.ip)], {timeoutMs: 8000})
      if (output.exitCode === 126 || output.exitCode === 127) note = `no ping in the containers of ${network.name}`
      for (const other of others) results.set(`${from.r.node.hostname}→${other.r.node.hostname}`, output.stdout.toString().includes(`${other.ip} ok`))
    } catch {
      // A container that cannot be reached tells nothing about the path.
    }
  }))
  return {network: network.name, results, ...(note ? {note} : {})}
}

/** Each node's own view of its overlays (its gossip-fed network DB), against the manager's tasks. */
async function nodeViews(reached: Connected[], tasks: TaskSummary[], networks: NetworkSummary[], services: ServiceSummary[], nodes: SwarmNode[]): Promise<View[]> {
  if (!reached.some((r) => r.engine)) return []
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const serviceMap = new Map(services.map((s) => [s.id, s]))
  const overlays = networks.filter((n) => n.driver === 'overlay' && !n.ingress)
  // Which nodes have a task on each network, and every address each network should hold: one pass over the tasks.
  const nodesOn = new Map<string, Set<string>>()
  const expectedOn = new Map<string, {task: TaskSummary; ip: string}[]>()
  for (const task of tasks) {
    for (const a of task.addresses) {
      const onIt = nodesOn.get(a.networkId) ?? nodesOn.set(a.networkId, new Set()).get(a.networkId)!
      onIt.add(task.nodeId)
      const expected = expectedOn.get(a.networkId) ?? expectedOn.set(a.networkId, []).get(a.networkId)!
      expected.push({task, ip: a.address})
    }
  }

  const views = await Promise.all(reached.filter((r) => r.engine).flatMap((r) =>
    overlays
      .filter((network) => nodesOn.get(network.id)?.has(r.node.id))
      .map(async (network): Promise<View | undefined> => {
        const detail = await r.engine!.inspectNetwork(network.id, {verbose: true}).catch(() => undefined)
        if (!detail) return undefined
        const seen = new Set(detail.services.flatMap((s) => s.tasks.map((t) => t.endpointIp.replace(/\/\d+$/, ''))))
        const expected = (expectedOn.get(network.id) ?? []).map(({task: t, ip}) => ({task: serviceMap.get(t.serviceId) ? taskName(serviceMap.get(t.serviceId)!, t, nodeMap) : t.id.slice(0, 12), ip, node: nodeMap.get(t.nodeId)?.hostname ?? t.nodeId}))
        const known = new Set(expected.map((e) => e.ip))
        return {node: r.node.hostname, network: network.name, peers: detail.peers.map((p) => p.ip), missing: expected.filter((e) => !seen.has(e.ip)), stale: [...seen].filter((ip) => ip && !known.has(ip))}
      }),
  ))
  return views.filter((v): v is View => v !== undefined)
}

/** Runs each repair the checks found, once confirmed, over its node's connection; then re-reads those nodes' facts. */
async function repair(reached: Connected[], reports: NodeReport[], confirm: (repairs: Repair[]) => Promise<boolean>, timeoutMs: number): Promise<FixResult> {
  const found = reports.flatMap((row) => row.checks.flatMap((c) => c.repairs ?? []))
  if (found.length === 0) return {confirmed: false, repairs: []}
  if (!(await confirm(found))) return {confirmed: false, repairs: found.map((x) => ({...x, ok: false, error: 'not confirmed'}))}
  const repairs = await Promise.all(found.map(async (x) => {
    const session = reached.find((r) => r.node.hostname === x.node)?.session
    if (!session) return {...x, ok: false, error: 'no connection to the node'}
    try {
      const output = await session.exec(`if [ "$(id -u)" = 0 ]; then ${x.command}; else sudo -n ${x.command}; fi`, {timeoutMs})
      return output.code === 0 ? {...x, ok: true} : {...x, ok: false, error: output.stderr.trim() || `exit ${output.code}`}
    } catch (error) {
      return {...x, ok: false, error: reasonOf(error)}
    }
  }))
  for (const r of reached.filter((c) => c.session && repairs.some((x) => x.ok && x.node === c.node.hostname))) {
    try {
      r.facts = await readFacts(r.session!, r.probes ?? [], timeoutMs)
    } catch (error) {
      r.error = reasonOf(error)
    }
  }

  return {confirmed: true, repairs}
}
