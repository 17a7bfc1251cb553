import {existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync} from 'node:fs'
import path from 'node:path'

import {SwarmnetError} from '../core/errors.js'
import {firewallRuleExists, linkExists, netnsExists, removeBridge, removeNodeNetwork} from './host-network.js'
import {BRIDGE, FIREWALL_COMMENT, LAB_DIR, LAB_RUN_DIR, type NodeLayout, paths} from './layout.js'
import {type LabState, layoutsOf} from './state.js'
import {run, sleep} from './system.js'

const OURS = [LAB_DIR, LAB_RUN_DIR]

/**
 * Removes everything a lab made, in an order that works over the remains of a killed run:
 * processes (daemons, containerd, shims, sshd, containers), mounts, namespaces, links, the firewall
 * rule, cgroups and directories. Only touches what carries the lab's names and paths.
 */
export async function teardown(state: LabState): Promise<void> {
  const nodes = layoutsOf(state)
  await killLabProcesses(nodes)
  await unmountLabPaths()
  for (const node of nodes) await removeNodeNetwork(node)
  await removeBridge()
  for (const node of nodes) removeCgroups(node)
  for (const dir of [...state.createdDirs].reverse()) removeIfEmpty(dir)
  rmSync(LAB_RUN_DIR, {recursive: true, force: true})
  for (const entry of existsSync(LAB_DIR) ? readdirSync(LAB_DIR) : []) {
    if (entry !== path.basename(paths.state)) rmSync(path.join(LAB_DIR, entry), {recursive: true, force: true})
  }

  // The record goes last: while anything is left, the next `lab down` or `lab up` can find and remove it.
  const left = (await leftovers(state)).filter((item) => item !== `directory ${LAB_DIR}`)
  if (left.length > 0) throw new SwarmnetError(`could not remove ${left.join(', ')}`)
  rmSync(LAB_DIR, {recursive: true, force: true})
}

/** What of a lab is still on the machine, so that `lab down` can prove it left nothing. */
async function leftovers(state: LabState): Promise<string[]> {
  const nodes = layoutsOf(state)
  const found: string[] = []
  for (const pid of labPids(nodes)) found.push(`process ${pid}`)
  for (const mount of labMounts()) found.push(`mount ${mount}`)
  for (const name of [BRIDGE, ...nodes.map((n) => n.veth)]) if (await linkExists(name)) found.push(`link ${name}`)
  for (const node of nodes) if (netnsExists(node.netns)) found.push(`netns ${node.netns}`)
  for (const node of nodes) for (const dir of cgroupDirs(node)) found.push(`cgroup ${dir}`)
  if (await firewallRuleExists()) found.push(`iptables FORWARD rule ${FIREWALL_COMMENT}`)
  for (const dir of [...OURS, ...state.createdDirs]) if (existsSync(dir)) found.push(`directory ${dir}`)
  return found
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {}
}

async function killLabProcesses(nodes: NodeLayout[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = labPids(nodes)
    if (pids.length === 0) return
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }

    const deadline = Date.now() + 3000
    while (Date.now() < deadline && pids.some((pid) => existsSync(`/proc/${pid}`) && !isZombie(pid))) await sleep(20)
  }

  const left = labPids(nodes)
  if (left.length > 0) throw new SwarmnetError(`lab processes survived SIGKILL: ${left.join(', ')}`)
}

/** Programs the lab starts outside containers; a command line naming a lab path counts only for these. */
const LAB_PROGRAMS = /^(dockerd|containerd|containerd-shim.*|docker-proxy|sshd|runc)$/

/**
 * The lab's processes: those inside a lab node's network namespace (daemons, containerd, shims, sshd,
 * docker-proxy), the lab's own programs whose command line names a lab path (a node whose namespace
 * is already gone), and those in a lab node's cgroups (containers). A user's `tail` of a lab log or
 * `ssh -F` with the lab's config is none of these.
 */
function labPids(nodes: NodeLayout[]): number[] {
  const nsInodes = new Set(nodes.map((n) => inodeOf(`/run/netns/${n.netns}`)).filter(Boolean))
  const pids = new Set<number>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid || isZombie(pid)) continue
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      const program = path.basename(argv[0] ?? '')
      const namesLabPath = argv.some((arg) => OURS.some((dir) => arg === dir || arg.startsWith(`${dir}/`) || arg.includes(`=${dir}/`) || arg.includes(`://${dir}/`)))
      if (LAB_PROGRAMS.test(program) && namesLabPath) pids.add(pid)
      else if (nsInodes.size > 0 && nsInodes.has(inodeOf(`/proc/${pid}/ns/net`))) pids.add(pid)
    } catch {}
  }

  for (const node of nodes) {
    for (const dir of cgroupDirs(node)) {
      for (const group of [dir, ...childGroups(dir)]) for (const line of readLines(path.join(group, 'cgroup.procs'))) pids.add(Number(line))
    }
  }

  return [...pids].filter((pid) => pid > 1 && pid !== process.pid)
}

/** A namespace's identity: the device and inode behind a /proc/PID/ns link or a bind-mounted netns file. */
function inodeOf(file: string): string {
  try {
    const stat = statSync(file)
    return `${stat.dev}:${stat.ino}`
  } catch {
    return ''
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

/** Mount points under the lab's directories, deepest first (mountinfo escapes spaces as \040). */
function labMounts(): string[] {
  return readLines('/proc/self/mountinfo')
    .map((line) => line.split(' ')[4].replaceAll(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))))
    .filter((mount) => OURS.some((dir) => mount === dir || mount.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length)
}

async function unmountLabPaths(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const mounts = labMounts()
    if (mounts.length === 0) return
    // Lazy: a mount still held by a dying process is detached at once and freed when released.
    await run('umount', ['-l', ...mounts], {allowFail: true})
  }

  const left = labMounts()
  if (left.length > 0) throw new SwarmnetError(`cannot unmount ${left[0]}${left.length > 1 ? ` and ${left.length - 1} more` : ''}`)
}

/** cgroup directories of a node's containers, in every v1 hierarchy and in the v2 tree. */
function cgroupDirs(node: NodeLayout): string[] {
  const root = '/sys/fs/cgroup'
  const candidates = [path.join(root, node.cgroupParent)]
  if (existsSync(root)) for (const controller of readdirSync(root)) candidates.push(path.join(root, controller, node.cgroupParent))
  return candidates.filter((dir) => existsSync(path.join(dir, 'cgroup.procs')))
}

function removeCgroups(node: NodeLayout): void {
  for (const dir of cgroupDirs(node)) {
    // cgroup directories are removed bottom-up with rmdir; their files cannot be deleted.
    for (const child of childGroups(dir)) {
      try {
        rmdirSync(child)
      } catch {}
    }

    try {
      rmdirSync(dir)
    } catch {}
  }
}

/** The container cgroups under a node's cgroup parent (one level: docker's cgroupfs layout). */
function childGroups(dir: string): string[] {
  try {
    return readdirSync(dir, {withFileTypes: true}).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name))
  } catch {
    return []
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}
