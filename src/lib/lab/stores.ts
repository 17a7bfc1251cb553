import {chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {contextId} from '../docker/contexts.js'
import {ENGINE_PORT, LAB_SSH_USER, type NodeLayout, paths} from './layout.js'
import {writePrivate} from './pki.js'

/**
 * Describes the lab the way users' own tools describe real clusters, so every connection route is
 * exercised for real: a docker-machine store, a Docker config directory with one context per node,
 * and an OpenSSH config with known_hosts for the nodes' host keys.
 */
export function writeStores(nodes: NodeLayout[]): void {
  writeMachineStore(nodes)
  writeDockerConfig(nodes)
  writeSshFiles(nodes)
}

function writeMachineStore(nodes: NodeLayout[]): void {
  const store = paths.machineStore
  const certs = path.join(store, 'certs')
  mkdirSync(certs, {recursive: true, mode: 0o700})
  for (const [from, to] of [['ca.pem', 'ca.pem'], ['ca-key.pem', 'ca-key.pem'], ['cert.pem', 'cert.pem'], ['key.pem', 'key.pem']]) {
    copyPrivate(path.join(paths.pki, from), path.join(certs, to))
  }

  for (const node of nodes) {
    const dir = path.join(store, 'machines', node.name)
    mkdirSync(dir, {recursive: true, mode: 0o700})
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) copyPrivate(path.join(paths.pki, name), path.join(dir, name))
    copyPrivate(path.join(node.tlsDir, 'server.pem'), path.join(dir, 'server.pem'))
    copyPrivate(path.join(node.tlsDir, 'server-key.pem'), path.join(dir, 'server-key.pem'))
    // docker-machine's config.json, ConfigVersion 3, as the "generic" driver writes it.
    const config = {
      ConfigVersion: 3,
      Driver: {
        IPAddress: node.ip,
        MachineName: node.name,
        SSHUser: LAB_SSH_USER,
        SSHPort: 22,
        SSHKeyPath: paths.sshKey,
        StorePath: store,
        EnginePort: ENGINE_PORT,
      },
      DriverName: 'generic',
      HostOptions: {
        EngineOptions: {TlsVerify: true, InstallURL: ''},
        AuthOptions: {
          CertDir: certs,
          CaCertPath: path.join(certs, 'ca.pem'),
          CaPrivateKeyPath: path.join(certs, 'ca-key.pem'),
          ClientKeyPath: path.join(certs, 'key.pem'),
          ClientCertPath: path.join(certs, 'cert.pem'),
          ServerCertPath: path.join(dir, 'server.pem'),
          ServerKeyPath: path.join(dir, 'server-key.pem'),
          ServerCertSANs: [],
          StorePath: dir,
        },
      },
      Name: node.name,
    }
    writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)
  }
}

function writeDockerConfig(nodes: NodeLayout[]): void {
  const dir = paths.dockerConfig
  mkdirSync(dir, {recursive: true, mode: 0o700})
  writeFileSync(path.join(dir, 'config.json'), '{}\n')
  for (const node of nodes) {
    const id = contextId(node.name)
    const meta = path.join(dir, 'contexts', 'meta', id)
    mkdirSync(meta, {recursive: true})
    const context = {
      Name: node.name,
      Metadata: {Description: `swarmnet lab ${node.name}`},
      Endpoints: {docker: {Host: `tcp://${node.ip}:${ENGINE_PORT}`, SkipTLSVerify: false}},
    }
    writeFileSync(path.join(meta, 'meta.json'), JSON.stringify(context))
    const tls = path.join(dir, 'contexts', 'tls', id, 'docker')
    mkdirSync(tls, {recursive: true, mode: 0o700})
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) copyPrivate(path.join(paths.pki, name), path.join(tls, name))
  }
}

function writeSshFiles(nodes: NodeLayout[]): void {
  const knownHosts = nodes.map((node) => {
    const [type, key] = readFileSync(path.join(node.sshDir, 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/)
    return `${node.name},${node.ip} ${type} ${key}`
  })
  writePrivate(paths.knownHosts, `${knownHosts.join('\n')}\n`)
  const config = nodes.map((node) =>
    [
      `Host ${node.name} ${node.ip}`,
      `  HostName ${node.ip}`,
      `  User ${LAB_SSH_USER}`,
      '  Port 22',
      `  IdentityFile ${paths.sshKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${paths.knownHosts}`,
      '  StrictHostKeyChecking yes',
    ].join('\n'),
  )
  writePrivate(paths.sshConfig, `# The swarmnet lab's nodes; use with: ssh -F ${paths.sshConfig} node-1\n${config.join('\n\n')}\n`)
}

function copyPrivate(from: string, to: string): void {
  copyFileSync(from, to)
  chmodSync(to, 0o600)
}
