import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import type {Engine} from '../docker/engine.js'
import {DEFAULT_DATA_PATH_PORT} from '../docker/map-raw.js'
import {SwarmnetError, UsageError, reasonOf} from '../core/errors.js'
import type {EnvVars} from '../node/shell-env.js'
import {socketEngine, sshBanner, startDockerd, startSshd} from './daemons.js'
import {checkSubnetFree, createBridge, createNodeNetwork, linkExists, netnsExists} from './host-network.js'
import {buildRootfs, importImages, missingImages} from './images.js'
import {BRIDGE, DEFAULT_SUBNET, ENGINE_PORT, LAB_DIR, LAB_SSH_USER, NODE_PRIVATE_PATHS, type NodeLayout, paths} from './layout.js'
import {makeCertificateAuthority, makeServerCertificate, writePrivate} from './pki.js'
import {type LabState, layoutsOf, readState, roleOf, writeState} from './state.js'
import {writeStores} from './stores.js'
import {run, which} from './system.js'
import {teardown} from './teardown.js'
import {ipvsAvailable} from './detect.js'

export interface LabNode {
  name: string
  role: 'manager' | 'worker'
  address: string
  engine: string
  socket: string
  ssh: string
}

export interface NodeHealth extends LabNode {
  daemon: boolean
  swarm: string
  leader: boolean
  ssh_ok: boolean
  images: boolean
  problem?: string
}

export interface LabStatus {
  running: boolean
  nodes: NodeHealth[]
  ipvs: boolean
  note: string
  /** The swarm's data-path (VXLAN) port, as `lab up --data-path-port` chose it (Docker's 4789 by default). */
  dataPathPort: number
}

/** Progress of one node, for the command to show; `node` is undefined for lab-wide steps. */
export type Progress = (node: string | undefined, step: string) => void

export const DEFAULT_NODES = 3
export const DEFAULT_MANAGERS = 1

/** Directories the nodes mount over (see NODE_PRIVATE_PATHS) and sshd's privilege separation directory. */
const HOST_DIRS = [...NODE_PRIVATE_PATHS, '/run/sshd']

type Requirement = [binary: string, pkg: string]

/** What tearing a lab down needs: fewer programs than starting one, so a lab can always be removed. */
const TEARDOWN_REQUIREMENTS: Requirement[] = [['ip', 'iproute2'], ['iptables', 'iptables'], ['umount', 'mount']]

const REQUIREMENTS: Requirement[] = [
  ['dockerd', 'docker.io'],
  ['docker', 'docker.io'],
  ['sshd', 'openssh-server'],
  ['ssh-keygen', 'openssh-client'],
  ['haproxy', 'haproxy'],
  ['busybox', 'busybox-static'],
  ['ip', 'iproute2'],
  ['iptables', 'iptables'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['openssl', 'openssl'],
  ['tar', 'tar'],
  ...TEARDOWN_REQUIREMENTS,
]

/** The lab needs Linux, root and a few programs; anything missing is one error saying what to install. */
export function checkRequirements(host = {platform: process.platform as string, uid: process.getuid?.(), find: (binary: string) => which(binary)}, needs = REQUIREMENTS): void {
  if (host.platform !== 'linux') throw new SwarmnetError(`the lab needs Linux network namespaces; this is ${host.platform}`)
  if (host.uid !== 0) throw new SwarmnetError('the lab needs root (it creates network namespaces, a bridge and daemons); run it with sudo')
  const missing = needs.filter(([binary]) => !host.find(binary))
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))]
    throw new SwarmnetError(`the lab needs ${missing.map(([b]) => b).join(', ')}: apt-get install -y ${packages.join(' ')}`)
  }
}

export function validateShape(nodes: number, managers: number): void {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new UsageError(`invalid --nodes "${nodes}": expected a whole number from 1 to 9`)
  if (!Number.isInteger(managers) || managers < 1 || managers > nodes) throw new UsageError(`invalid --managers "${managers}": expected a whole number from 1 to --nodes (${nodes})`)
}

/** Docker takes a data-path port from 1024 to 49151 (`docker swarm init --data-path-port`). */
export function validateDataPathPort(port: number): void {
  if (!Number.isInteger(port) || port < 1024 || port > 49_151) throw new UsageError(`invalid --data-path-port "${port}": expected a UDP port from 1024 to 49151`)
}

export function validateSubnet(subnet: string): void {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet)
  if (!match || match.slice(1).some((o) => Number(o) > 255)) throw new UsageError(`invalid --subnet "${subnet}": expected an IPv4 /24 like ${DEFAULT_SUBNET}`)
}

/**
 * Brings the lab up: N real dockerd nodes in their own namespaces joined into one Swarm, sshd on each,
 * the lab images on each, and the stores that describe them. Idempotent: a healthy lab of the asked
 * shape is reported as it is; remains of a killed run are cleaned up first.
 */
export async function labUp(options: {nodes?: number; managers?: number; subnet?: string; dataPathPort?: number}, progress: Progress): Promise<{started: boolean; status: LabStatus}> {
  const nodes = options.nodes ?? DEFAULT_NODES
  const managers = options.managers ?? Math.min(DEFAULT_MANAGERS, nodes)
  validateShape(nodes, managers)
  if (options.subnet) validateSubnet(options.subnet)
  if (options.dataPathPort !== undefined) validateDataPathPort(options.dataPathPort)
  checkRequirements()
  const existing = readState()
  if (existing) {
    const status = await labStatus()
    if (status.running) {
      // Only a shape asked for explicitly can disagree with the running lab.
      const differs = (options.nodes !== undefined && options.nodes !== existing.nodes) ||
        (options.managers !== undefined && options.managers !== existing.managers) ||
        (options.subnet !== undefined && options.subnet !== existing.subnet) ||
        (options.dataPathPort !== undefined && options.dataPathPort !== (existing.dataPathPort ?? DEFAULT_DATA_PATH_PORT))
      if (differs) {
        throw new SwarmnetError(`a lab of ${existing.nodes} nodes (${existing.managers} manager${existing.managers > 1 ? 's' : ''}, ${existing.subnet}, data-path port ${existing.dataPathPort ?? DEFAULT_DATA_PATH_PORT}) is running; run \`swarmnet lab down\` first to change its shape`)
      }

      return {started: false, status}
    }

    progress(undefined, 'cleaning up the remains of a lab that is not running')
    await teardown(existing)
  } else {
    await refuseForeign(nodes)
  }

  const createdDirs = HOST_DIRS.filter((dir) => !existsSync(dir))
  const state: LabState = {version: 1, subnet: options.subnet ?? DEFAULT_SUBNET, nodes, managers, ...(options.dataPathPort ? {dataPathPort: options.dataPathPort} : {}), createdAt: new Date().toISOString(), createdDirs}
  await checkSubnetFree(state.subnet)
  writeState(state)
  try {
    for (const dir of createdDirs) mkdirSync(dir, {recursive: true, mode: 0o755})
    await build(state, progress)
  } catch (error) {
    progress(undefined, `failed: ${reasonOf(error)}; removing what was made`)
    await teardown(state).catch(() => {})
    throw error
  }

  return {started: true, status: await labStatus()}
}

async function build(state: LabState, progress: Progress): Promise<void> {
  const nodes = layoutsOf(state)
  mkdirSync(paths.ssh, {recursive: true, mode: 0o700})
  progress(undefined, 'making the CA, client certificate and SSH key')
  await Promise.all([
    makeCertificateAuthority(),
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'swarmnet-lab', '-f', paths.sshKey]),
  ])
  writePrivate(paths.authorizedKeys, readFileSync(`${paths.sshKey}.pub`))
  const rootfs = buildRootfs()
  const engines = new Map<string, Engine>()
  try {
    await createBridge(state.subnet)
    // Every node settles before a failure is reported, so cleanup never races a node still starting.
    await settleAll(
      nodes.map(async (node) => {
        await createNodeNetwork(node, state.subnet)
        await makeServerCertificate(node.tlsDir, node)
        const {pid, engine} = await startDockerd(node)
        engines.set(node.name, engine)
        progress(node.name, `engine up at ${node.socket} and tcp://${node.ip}:${ENGINE_PORT}`)
        await startSshd(node, pid)
        progress(node.name, `sshd up at ${LAB_SSH_USER}@${node.ip}:22`)
      }),
    )
    await formSwarm(state, nodes, engines, progress)
    const tarball = await rootfs
    await settleAll(
      nodes.map(async (node) => {
        await importImages(engines.get(node.name)!, tarball)
        progress(node.name, 'lab images imported')
      }),
    )
    writeStores(nodes)
  } finally {
    await rootfs.catch(() => {})
    await Promise.all([...engines.values()].map((engine) => engine.close()))
  }
}

/** Like Promise.all, but waits for every task to finish before rejecting with the first failure. */
async function settleAll(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** node-1 initialises; further managers join one at a time (raft), workers all at once. */
async function formSwarm(state: LabState, nodes: NodeLayout[], engines: Map<string, Engine>, progress: Progress): Promise<void> {
  const [first, ...rest] = nodes
  const leader = engines.get(first.name)!
  await leader.swarmInit({advertiseAddr: first.ip, listenAddr: `${first.ip}:2377`, ...(state.dataPathPort ? {dataPathPort: state.dataPathPort} : {})})
  progress(first.name, 'swarm initialised (leader)')
  const tokens = await leader.swarmJoinTokens()
  const join = async (node: NodeLayout, token: string) => {
    await engines.get(node.name)!.swarmJoin({advertiseAddr: node.ip, listenAddr: `${node.ip}:2377`, remoteAddr: `${first.ip}:2377`, token})
    progress(node.name, `joined as ${roleOf(state, node)}`)
  }

  for (const node of rest.filter((n) => roleOf(state, n) === 'manager')) await join(node, tokens.manager)
  await Promise.all(rest.filter((n) => roleOf(state, n) === 'worker').map((node) => join(node, tokens.worker)))
}

/** Refuses to start over things with the lab's names that no lab record accounts for. */
async function refuseForeign(count: number): Promise<void> {
  const foreign: string[] = []
  if (await linkExists(BRIDGE)) foreign.push(`bridge ${BRIDGE}`)
  for (const node of layoutsOf({nodes: Math.max(count, 9), subnet: DEFAULT_SUBNET})) {
    if (netnsExists(node.netns)) foreign.push(`network namespace ${node.netns}`)
    if (await linkExists(node.veth)) foreign.push(`link ${node.veth}`)
  }

  if (existsSync(LAB_DIR) && !existsSync(paths.state)) foreign.push(`directory ${LAB_DIR}`)
  if (foreign.length > 0) {
    throw new SwarmnetError(`${foreign.join(', ')} already exist${foreign.length === 1 ? 's' : ''} but no lab record (${paths.state}) says swarmnet made ${foreign.length === 1 ? 'it' : 'them'}; remove ${foreign.length === 1 ? 'it' : 'them'} yourself`)
  }
}

/** The running (or broken) lab's record, after checking that it could be torn down here. */
export function labRecord(): LabState | undefined {
  checkRequirements(undefined, TEARDOWN_REQUIREMENTS)
  return readState()
}

/** Removes everything the lab made; fails if anything is left. */
export async function labDown(progress: Progress, state = labRecord()): Promise<{removed: boolean}> {
  if (!state) {
    await refuseForeign(9)
    return {removed: false}
  }

  progress(undefined, `removing ${state.nodes} nodes`)
  await teardown(state)
  return {removed: true}
}

const IPVS_NOTE_MISSING = 'this kernel has no IPVS: service VIPs and the ingress routing mesh cannot work here; publish ports with mode=host and use --endpoint-mode dnsrr or tasks.<service>'
const IPVS_NOTE_PRESENT = 'IPVS is available: VIPs and the ingress routing mesh can work'

/** Each node's health, checked for real: the daemon, its swarm state, an SSH handshake and the images. */
export async function labStatus(): Promise<LabStatus> {
  const state = readState()
  const ipvs = ipvsAvailable()
  const note = ipvs ? IPVS_NOTE_PRESENT : IPVS_NOTE_MISSING
  if (!state) return {running: false, nodes: [], ipvs, note, dataPathPort: DEFAULT_DATA_PATH_PORT}
  const nodes = await Promise.all(layoutsOf(state).map((node) => nodeHealth(state, node)))
  const running = nodes.every((n) => n.daemon && n.swarm === 'active' && n.ssh_ok && n.images)
  return {running, nodes, ipvs, note, dataPathPort: state.dataPathPort ?? DEFAULT_DATA_PATH_PORT}
}

async function nodeHealth(state: LabState, node: NodeLayout): Promise<NodeHealth> {
  const health: NodeHealth = {...describeNode(state, node), daemon: false, swarm: 'unknown', leader: false, ssh_ok: false, images: false}
  const [engineProblem, sshProblem] = await Promise.all([checkEngine(node, health), checkSsh(node, health)])
  const problem = engineProblem ?? sshProblem
  return problem ? {...health, problem} : health
}

/** The daemon over its socket: answers, swarm state, leadership, images. Returns a problem, if any. */
async function checkEngine(node: NodeLayout, health: NodeHealth): Promise<string | undefined> {
  if (!existsSync(node.socket)) return 'no engine socket'
  const engine = await socketEngine(node, 3000)
  try {
    const info = await engine.info()
    health.daemon = true
    health.swarm = info.swarm.state
    health.images = (await missingImages(engine)).length === 0
    if (info.swarm.controlAvailable) health.leader = (await engine.listNodes()).some((n) => n.leader && n.id === info.swarm.nodeId)
    return health.images ? undefined : 'lab images missing'
  } catch (error) {
    return reasonOf(error)
  } finally {
    await engine.close()
  }
}

/** A real SSH login with the lab's key and known_hosts, running the node's docker CLI against its engine. */
async function checkSsh(node: NodeLayout, health: NodeHealth): Promise<string | undefined> {
  if (!(await sshBanner(node.ip, 1500))) return 'sshd not answering'
  const {openSshSession} = await import('../ssh/ssh-client.js')
  try {
    const session = await openSshSession({host: node.ip}, {configPath: paths.sshConfig, acceptNewHostKey: false, timeoutMs: 5000})
    try {
      const result = await session.exec('docker version --format "{{.Server.Version}}"')
      health.ssh_ok = result.code === 0
      return health.ssh_ok ? undefined : `docker over ssh failed: ${result.stderr.trim()}`
    } finally {
      await session.close()
    }
  } catch (error) {
    return reasonOf(error)
  }
}

function describeNode(state: LabState, node: NodeLayout): LabNode {
  return {
    name: node.name,
    role: roleOf(state, node),
    address: node.ip,
    engine: `tcp://${node.ip}:${ENGINE_PORT}`,
    socket: `unix://${node.socket}`,
    ssh: `ssh://${LAB_SSH_USER}@${node.ip}`,
  }
}

/**
 * The shell variables after which docker and swarmnet talk to one lab node as if it were a
 * docker-machine VM: TLS to its engine, plus the lab's machine store, Docker config and SSH config.
 */
export function labEnv(nodeName?: string): {node: string; vars: EnvVars} {
  const state = readState()
  if (!state) throw new SwarmnetError('no lab is running; start one with `swarmnet lab up`')
  const nodes = layoutsOf(state)
  const node = nodeName === undefined ? nodes[0] : nodes.find((n) => n.name === nodeName)
  if (!node) throw new UsageError(`unknown lab node "${nodeName}"; the lab's nodes are ${nodes.map((n) => n.name).join(', ')}`)
  return {
    node: node.name,
    vars: [
      ['DOCKER_HOST', `tcp://${node.ip}:${ENGINE_PORT}`],
      ['DOCKER_TLS_VERIFY', '1'],
      ['DOCKER_CERT_PATH', path.join(paths.machineStore, 'machines', node.name)],
      ['DOCKER_MACHINE_NAME', node.name],
      ['MACHINE_STORAGE_PATH', paths.machineStore],
      ['DOCKER_CONFIG', paths.dockerConfig],
      ['SWARMNET_SSH_CONFIG', paths.sshConfig],
      ['DOCKER_CONTEXT', null],
    ],
  }
}

