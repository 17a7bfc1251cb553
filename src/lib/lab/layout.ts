import path from 'node:path'

/** Where the lab keeps everything. One lab per machine; every name carries the "swarmnet" prefix. */
export const LAB_DIR = '/var/lib/swarmnet-lab'
export const LAB_RUN_DIR = '/run/swarmnet-lab'
export const BRIDGE = 'swarmnet0'
export const DEFAULT_SUBNET = '10.213.0.0/24'
export const ENGINE_PORT = 2376
export const LAB_SSH_USER = 'root'
export const FIREWALL_COMMENT = 'swarmnet-lab'
/**
 * Paths dockerd 20.10 and containerd 1.6 write to whatever --data-root and --exec-root say (trust
 * key, plugin sockets, load-balancer sandbox files, shim sockets). Each node gets a private tmpfs on
 * them, in its own mount namespace, so nodes neither share them nor leave anything in the host's.
 */
export const NODE_PRIVATE_PATHS = ['/etc/docker', '/var/lib/docker', '/run/docker', '/run/containerd']

export const IMAGES = {goDemo: 'swarmnet-lab/go-demo:latest', proxy: 'swarmnet-lab/proxy:latest'} as const

export const paths = {
  state: path.join(LAB_DIR, 'state.json'),
  pki: path.join(LAB_DIR, 'pki'),
  ssh: path.join(LAB_DIR, 'ssh'),
  sshKey: path.join(LAB_DIR, 'ssh', 'id_ed25519'),
  sshConfig: path.join(LAB_DIR, 'ssh', 'config'),
  knownHosts: path.join(LAB_DIR, 'ssh', 'known_hosts'),
  authorizedKeys: path.join(LAB_DIR, 'ssh', 'authorized_keys'),
  machineStore: path.join(LAB_DIR, 'machine'),
  dockerConfig: path.join(LAB_DIR, 'docker'),
  imageBuild: path.join(LAB_DIR, 'images'),
}

/** One node's names and places. */
export interface NodeLayout {
  name: string
  index: number
  ip: string
  netns: string
  veth: string
  cgroupParent: string
  dataDir: string
  dockerRoot: string
  runDir: string
  execRoot: string
  socket: string
  dockerdPid: string
  sshdPid: string
  tlsDir: string
  sshDir: string
  log: string
}

export function nodeLayout(index: number, subnet: string): NodeLayout {
  const name = `node-${index}`
  const dataDir = path.join(LAB_DIR, 'nodes', name)
  const runDir = path.join(LAB_RUN_DIR, name)
  return {
    name,
    index,
    ip: hostAddress(subnet, 10 + index),
    netns: `swarmnet-${name}`,
    veth: `swn-${name}`,
    cgroupParent: `swarmnet-${name}`,
    dataDir,
    dockerRoot: path.join(dataDir, 'docker'),
    runDir,
    execRoot: path.join(runDir, 'exec'),
    socket: path.join(runDir, 'docker.sock'),
    dockerdPid: path.join(runDir, 'dockerd.pid'),
    sshdPid: path.join(runDir, 'sshd.pid'),
    tlsDir: path.join(dataDir, 'tls'),
    sshDir: path.join(dataDir, 'ssh'),
    log: path.join(dataDir, 'dockerd.log'),
  }
}

/** The n-th address of an IPv4 /24 (the lab's subnets are always /24). */
export function hostAddress(subnet: string, n: number): string {
  const [base] = subnet.split('/')
  const octets = base.split('.')
  return [...octets.slice(0, 3), String(n)].join('.')
}

export function bridgeAddress(subnet: string): string {
  return hostAddress(subnet, 1)
}
