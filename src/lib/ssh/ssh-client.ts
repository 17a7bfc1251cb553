import type http from 'node:http'
import os from 'node:os'
import type {Duplex} from 'node:stream'

import {UsageError} from '../core/errors.js'
import {connectTcp} from './connect-tcp.js'
import {readKnownHostsFiles} from './known-hosts.js'
import {resolveSshConfig} from './ssh-config.js'
import {Ssh2Session} from './ssh-session.js'
import {loadIdentities, loadSsh2, login} from './ssh2-adapter.js'
import {formatHost} from './wording.js'

export {FORWARD_CONNECT_FAILED, FORWARD_REFUSED} from './ssh-session.js'

/**
 * Docker over SSH like `docker -H ssh://user@host`: `docker system dial-stdio` on the remote, HTTP
 * over that channel. Unlike docker-modem, one SSH connection serves a whole command (each HTTP
 * connection is a new channel on it), ~/.ssh/config and the agent are honoured, and host keys are
 * checked against known_hosts. This file is the module's face: the TCP connection is in
 * connect-tcp.ts, login in ssh2-adapter.ts (the only file that imports ssh2) with what it decides in
 * auth-plan.ts and host-key-check.ts, the session in ssh-session.ts and channel-socket.ts.
 */

/** Where to connect, from ssh://user@host:port; `host` may be an ssh config alias. */
export interface SshEndpoint {
  host: string
  port?: number
  user?: string
}

export interface SshSettings {
  /** An ssh_config file, like `ssh -F` (--ssh-config / SWARMNET_SSH_CONFIG); default ~/.ssh/config. */
  configPath?: string
  /** Trust and record a host key seen for the first time (never a changed one). */
  acceptNewHostKey: boolean
  /** Bounds connecting and logging in, and each channel open and exec. */
  timeoutMs: number
  env?: NodeJS.ProcessEnv
  /** The home directory whose .ssh is used (tests); default HOME, then os.homedir(). */
  home?: string
  /** Extra private keys tried before the config's, like `ssh -i` (e.g. a docker-machine key). */
  identityFiles?: string[]
}

export interface ExecResult {
  stdout: string
  stderr: string
  code: number
}

export interface SshSession {
  /** "ssh://root@10.213.0.12:22", for messages. */
  readonly target: string
  /**
   * An http.Agent whose connections are `docker system dial-stdio` channels on this one SSH
   * connection (keep-alive, so channels are reused). Pass it to an HTTP client with any host name.
   */
  dockerAgent(): http.Agent
  /** Runs a command (stdin closed), bounded by `timeoutMs` (default: the session's). */
  exec(command: string, options?: {timeoutMs?: number}): Promise<ExecResult>
  /**
   * A TCP connection made by the remote host to host:port, carried in a channel of this connection
   * (direct-tcpip, like `ssh -W`); opening is bounded by `timeoutMs`. A failure to open carries the
   * code FORWARD_CONNECT_FAILED when the remote host could not connect (nothing was sent), else
   * FORWARD_REFUSED (the server does not forward: AllowTcpForwarding, or a lost connection).
   */
  forward(host: string, port: number, options?: {timeoutMs?: number}): Promise<Duplex>
  /** Ends the connection; afterwards nothing of this session keeps Node running. Safe to call twice. */
  close(): Promise<void>
}

/** Opens the one SSH connection for a node: config, host key check and login all happen here. */
export async function openSshSession(endpoint: SshEndpoint, settings: SshSettings): Promise<SshSession> {
  if (!(settings.timeoutMs > 0)) throw new UsageError(`invalid SSH timeout ${settings.timeoutMs} ms; expected a positive number`)
  const deadline = Date.now() + settings.timeoutMs
  const env = settings.env ?? process.env
  const config = resolveSshConfig(endpoint, {configPath: settings.configPath, home: settings.home, env})
  const target = `ssh://${config.user}@${formatHost(config.hostName)}:${config.port}`
  const proxy = config.proxyJump ? 'ProxyJump' : config.proxyCommand ? 'ProxyCommand' : undefined
  if (proxy) throw new UsageError(`${target}: ${proxy} (${config.configFile ?? 'ssh config'}) is not supported by swarmnet; expected a host reachable directly`)

  const ssh2 = await loadSsh2()
  const home = settings.home ?? env.HOME ?? os.homedir()
  const identities = loadIdentities(ssh2, [...(settings.identityFiles ?? []), ...config.identityFiles])
  const knownHosts = readKnownHostsFiles([...config.userKnownHostsFiles, ...config.globalKnownHostsFiles])
  const connectMs = Math.max(1, Math.min(deadline - Date.now(), config.connectTimeoutMs ?? Number.POSITIVE_INFINITY))
  const sock = await connectTcp(config, target, connectMs)
  const client = await login(ssh2, sock, {config, target, acceptNewHostKey: settings.acceptNewHostKey, identities, knownHosts, home, remainingMs: Math.max(1, deadline - Date.now())})
  return new Ssh2Session(target, client, sock, settings.timeoutMs)
}
