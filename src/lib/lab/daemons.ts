import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import {openEngine} from '../docker/connect.js'
import type {Engine} from '../docker/engine.js'
import {SwarmnetError, oneLine} from '../core/errors.js'
import {netnsPath} from './host-network.js'
import {ENGINE_PORT, NODE_PRIVATE_PATHS, type NodeLayout, paths} from './layout.js'
import {run, waitFor, which} from './system.js'

const START_TIMEOUT_MS = 30_000

/** A local engine over the node's unix socket: what the lab itself uses to drive each node. */
export function socketEngine(node: NodeLayout, timeoutMs = 10_000): Promise<Engine> {
  return openEngine({kind: 'unix', socketPath: node.socket}, {timeoutMs, acceptNewHostKey: false})
}

/**
 * Starts a node's dockerd inside its network namespace and its own UTS namespace (so it has its own
 * hostname), with its own data-root, exec-root, socket, containerd namespace and cgroup parent, and a
 * TLS listener on the node's address; returns once the engine answers.
 */
export async function startDockerd(node: NodeLayout): Promise<{pid: number; engine: Engine}> {
  mkdirSync(node.dataDir, {recursive: true})
  mkdirSync(node.runDir, {recursive: true})
  const config = path.join(node.dataDir, 'daemon.json')
  // An explicit (empty) config file: the host's /etc/docker/daemon.json must not leak into lab nodes.
  writeFileSync(config, '{}\n')
  const dockerd = [
    which('dockerd') ?? 'dockerd',
    '--config-file', config,
    '--data-root', node.dockerRoot,
    '--exec-root', node.execRoot,
    '--pidfile', node.dockerdPid,
    '-H', `unix://${node.socket}`,
    '-H', `tcp://${node.ip}:${ENGINE_PORT}`,
    '--tlsverify',
    '--tlscacert', path.join(paths.pki, 'ca.pem'),
    '--tlscert', path.join(node.tlsDir, 'server.pem'),
    '--tlskey', path.join(node.tlsDir, 'server-key.pem'),
    '--bridge', 'none',
    '--containerd-namespace', node.netns,
    '--containerd-plugins-namespace', `${node.netns}-plugins`,
    '--cgroup-parent', node.cgroupParent,
  ]
  const log = openSync(node.log, 'a')
  // Own network, UTS (hostname) and mount namespaces. `ip netns exec` would remount /sys and break
  // dockerd's cgroup detection; nsenter does not. Mounts made in the private mount namespace vanish
  // with its last process, so a killed node leaves none behind.
  const isolate = NODE_PRIVATE_PATHS.map((dir) => `mount -t tmpfs -o mode=0755 swarmnet-lab ${dir}`).join(' && ')
  const script = `hostname ${node.name} && ${isolate} && exec "$@"`
  const child = spawn('nsenter', [`--net=${netnsPath(node)}`, 'unshare', '--uts', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', ...dockerd], {
    detached: true,
    stdio: ['ignore', log, log],
  })
  closeSync(log)
  let exited: string | undefined
  child.on('error', (error) => {
    exited = `could not start: ${error.message}`
  })
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`
  })
  child.unref()

  const engine = await socketEngine(node)
  await waitFor(`${node.name}: dockerd`, START_TIMEOUT_MS, async () => {
    if (exited) throw new SwarmnetError(`${node.name}: dockerd ${exited}: ${lastLines(node.log)}`)
    await engine.ping()
    return true
  })
  return {pid: child.pid!, engine}
}

export function sshdConfigFor(node: NodeLayout): string {
  return [
    `# sshd for lab ${node.name}; written by swarmnet lab up`,
    'Port 22',
    `ListenAddress ${node.ip}`,
    `HostKey ${path.join(node.sshDir, 'ssh_host_ed25519_key')}`,
    `PidFile ${node.sshdPid}`,
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'X11Forwarding no',
    // What `docker -H ssh://node` runs there (`docker system dial-stdio`) must reach this node's daemon.
    // SHLVL=1 keeps bash from sourcing the host root's ~/.bashrc for every command (bash reads it only
    // at level 1 over SSH): lab nodes share the host's home, and its rc files (pyenv's rehash lock,
    // say) made concurrent logins wait on each other.
    `SetEnv DOCKER_HOST=unix://${node.socket} SHLVL=1`,
    '',
  ].join('\n')
}

/** Starts sshd on the node's address, inside its network and UTS namespaces, and waits for its banner. */
export async function startSshd(node: NodeLayout, dockerdPid: number): Promise<void> {
  const sshd = which('sshd')
  if (!sshd) throw new SwarmnetError('sshd not found: apt-get install -y openssh-server')
  mkdirSync(node.sshDir, {recursive: true, mode: 0o700})
  const hostKey = path.join(node.sshDir, 'ssh_host_ed25519_key')
  if (!existsSync(hostKey)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${node.name}`, '-f', hostKey])
  const config = path.join(node.sshDir, 'sshd_config')
  writeFileSync(config, sshdConfigFor(node))
  const ns = `/proc/${dockerdPid}/ns`
  await run('nsenter', [`--net=${netnsPath(node)}`, `--uts=${ns}/uts`, `--mount=${ns}/mnt`, sshd, '-f', config, '-E', path.join(node.sshDir, 'sshd.log')])
  await waitFor(`${node.name}: sshd`, START_TIMEOUT_MS, () => sshBanner(node.ip))
}

/** The first line sshd sends, or undefined while nothing listens. */
export function sshBanner(host: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({host, port: 22, timeout: timeoutMs})
    const done = (value: string | undefined) => {
      socket.destroy()
      resolve(value)
    }

    socket.once('data', (data) => done(data.toString().split('\n')[0].trim()))
    socket.once('error', () => done(undefined))
    socket.once('timeout', () => done(undefined))
  })
}

function lastLines(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    return oneLine(lines.slice(-3).join(' ')).slice(0, 400)
  } catch {
    return `see ${file}`
  }
}
