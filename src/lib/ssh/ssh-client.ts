import {existsSync, readFileSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import {Duplex} from 'node:stream'
import type {AnyAuthMethod, AuthenticationType, Client, ClientChannel, IdentityCallback, ParsedKey, ServerHostKeyAlgorithm, VerifyCallback} from 'ssh2'

import {formatSeconds} from '../core/duration.js'
import {ExitCode, SwarmnetError, UsageError, oneLine, reasonOf} from '../core/errors.js'
import {type KnownHostEntry, appendKnownHost, checkHostKey, fingerprint, knownHostsName, keyTypeOf, knownKeyTypes, readKnownHostsFiles} from './known-hosts.js'
import {type ResolvedSshConfig, resolveSshConfig} from './ssh-config.js'

/**
 * Docker over SSH like `docker -H ssh://user@host`: `docker system dial-stdio` on the remote, HTTP
 * over that channel. Unlike docker-modem, one SSH connection serves a whole command (each HTTP
 * connection is a new channel on it), ~/.ssh/config and the agent are honoured, and host keys are
 * checked against known_hosts. The only file that imports ssh2.
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

type Ssh2 = typeof import('ssh2')

export const FORWARD_CONNECT_FAILED = 'EFORWARDCONNECT'
export const FORWARD_REFUSED = 'EFORWARD'
const DIAL_STDIO = 'docker system dial-stdio'
// sshd allows 10 sessions (channels) per connection by default (MaxSessions): keep room for exec.
const MAX_DIAL_CHANNELS = 6
const CLOSE_GRACE_MS = 1000
const STDERR_KEEP = 2000

let ssh2Loaded: Promise<Ssh2> | undefined

/** ssh2 is CommonJS: its namespace is the default export. */
async function loadSsh2(): Promise<Ssh2> {
  ssh2Loaded ??= import('ssh2').then((module) => (module as unknown as {default: Ssh2}).default)
  return ssh2Loaded
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
  const client = await login(ssh2, sock, {config, target, settings, identities, knownHosts, home, remainingMs: Math.max(1, deadline - Date.now())})
  return new Ssh2Session(target, client, sock, settings.timeoutMs)
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** ~/… for paths under the home directory, so hints read like the ssh docs. */
function tildePath(file: string, home: string): string {
  return file.startsWith(home + '/') ? `~${file.slice(home.length)}` : file
}

// ---------------------------------------------------------------------------------------------
// TCP

/** Connects the TCP socket ourselves, so refused / unknown host / timeout each get their own words. */
async function connectTcp(config: ResolvedSshConfig, target: string, timeoutMs: number): Promise<net.Socket> {
  const via = config.alias.toLowerCase() === config.hostName ? '' : ` (ssh config Host ${config.alias})`
  return new Promise((resolve, reject) => {
    const sock = net.connect({host: config.hostName, port: config.port})
    const fail = (why: string) => {
      clearTimeout(timer)
      sock.destroy()
      reject(new SwarmnetError(`${target}: ${why}${via}`))
    }

    const timer = setTimeout(() => fail(`timed out after ${formatSeconds(timeoutMs)} connecting`), timeoutMs)
    sock.once('error', (error: NodeJS.ErrnoException) => fail(connectFailure(error, config)))
    sock.once('connect', () => {
      clearTimeout(timer)
      sock.removeAllListeners('error')
      resolve(sock)
    })
  })
}

function connectFailure(error: NodeJS.ErrnoException, config: ResolvedSshConfig): string {
  switch (error.code) {
    case 'ECONNREFUSED': return `connection refused; expected an SSH server on port ${config.port}`
    case 'ENOTFOUND': return `host name "${config.hostName}" not found`
    case 'EAI_AGAIN': return `host name lookup for "${config.hostName}" failed (DNS unavailable)`
    default: return `cannot connect: ${reasonOf(error)}`
  }
}

// ---------------------------------------------------------------------------------------------
// Identities

interface Identities {
  keys: {file: string; key: ParsedKey}[]
  /** Public halves of the identity files (private keys and .pub files), for IdentitiesOnly. */
  publicKeys: Buffer[]
  encrypted: string[]
  unusable: string[]
}

/** Reads each identity file that exists; passphrase-protected keys are skipped (swarmnet never prompts). */
function loadIdentities(ssh2: Ssh2, files: string[]): Identities {
  const result: Identities = {keys: [], publicKeys: [], encrypted: [], unusable: []}
  for (const file of new Set(files)) {
    const publicFile = readPublicKey(ssh2, `${file}.pub`)
    if (publicFile) result.publicKeys.push(publicFile)
    if (!existsSync(file)) continue
    let parsed: ReturnType<typeof ssh2.utils.parseKey>
    try {
      parsed = ssh2.utils.parseKey(readFileSync(file))
    } catch (error) {
      result.unusable.push(`${file} (${reasonOf(error)})`)
      continue
    }

    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed
    if (key instanceof Error) {
      if (/passphrase|encrypted/i.test(key.message)) result.encrypted.push(file)
      else result.unusable.push(`${file} (not a private key ssh2 can read)`)
      continue
    }

    if (!key.isPrivateKey()) {
      result.unusable.push(`${file} (not a private key)`)
      continue
    }

    result.keys.push({file, key})
    result.publicKeys.push(key.getPublicSSH())
  }

  return result
}

function readPublicKey(ssh2: Ssh2, file: string): Buffer | undefined {
  if (!existsSync(file)) return undefined
  try {
    const parsed = ssh2.utils.parseKey(readFileSync(file))
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed
    return key instanceof Error ? undefined : key.getPublicSSH()
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Handshake and login

interface LoginContext {
  config: ResolvedSshConfig
  target: string
  settings: SshSettings
  identities: Identities
  knownHosts: KnownHostEntry[]
  home: string
  remainingMs: number
}

type SshError = Error & {level?: string; code?: string | number}

/** SSH handshake (host key checked), then login; resolves with the ready client. */
async function login(ssh2: Ssh2, sock: net.Socket, context: LoginContext): Promise<Client> {
  const {config, target, remainingMs} = context
  const auth = new AuthPlan(ssh2, context)
  const hostKey = new HostKeyCheck(context)
  const client = new ssh2.Client()
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (error?: SwarmnetError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (!error) return resolve(client)
      client.destroy()
      sock.destroy()
      reject(error)
    }

    const timer = setTimeout(() => finish(new SwarmnetError(`${target}: timed out after ${formatSeconds(remainingMs)} waiting for the SSH handshake and login`)), remainingMs)
    client.on('ready', () => finish())
    client.on('error', (error: SshError) => {
      if (error.level === 'agent') return auth.agentFailed(error) // ssh2 goes on with the next method
      finish(hostKey.problem ?? loginFailure(error, target, auth, remainingMs))
    })
    client.on('close', () => finish(hostKey.problem ?? new SwarmnetError(`${target}: the server closed the connection during the SSH handshake`)))
    // Ask for the key types known_hosts has for this host first, as OpenSSH does, so a server
    // with several host keys shows the one we can check.
    const preferred = hostKeyAlgorithms(knownKeyTypes(context.knownHosts, hostKey.lookup))
    try {
      client.connect({
        sock,
        username: config.user,
        readyTimeout: remainingMs,
        authHandler: (methodsLeft, _partial, next) => auth.next(methodsLeft, next),
        hostVerifier: (key: Buffer, verify: VerifyCallback) => hostKey.verify(key, verify),
        ...(preferred.length > 0 ? {algorithms: {serverHostKey: {remove: preferred, prepend: preferred, append: []}}} : {}),
      })
    } catch (error) {
      finish(new SwarmnetError(`${target}: SSH connection failed: ${reasonOf(error)}`))
    }
  })
}

function loginFailure(error: SshError, target: string, auth: AuthPlan, timeoutMs: number): SwarmnetError {
  if (error.level === 'client-authentication') return new SwarmnetError(`${target}: ${auth.failureSummary()}`)
  if (error.level === 'client-timeout') return new SwarmnetError(`${target}: timed out after ${formatSeconds(timeoutMs)} waiting for the SSH handshake and login`)
  if (typeof error.code === 'number' && auth.started) {
    return new SwarmnetError(`${target}: ${auth.failureSummary(oneLine(error.message))}`)
  }

  if (/before handshake/i.test(error.message)) return new SwarmnetError(`${target}: the server closed the connection before the SSH handshake; expected an SSH server`)
  if (error.level === 'handshake' || error.level === 'protocol') return new SwarmnetError(`${target}: SSH handshake failed: ${oneLine(error.message)}`)
  return new SwarmnetError(`${target}: SSH connection failed: ${reasonOf(error)}`)
}

/** ssh2's names for the signature algorithms of known key types, asked for first as OpenSSH does. */
function hostKeyAlgorithms(keyTypes: string[]): ServerHostKeyAlgorithm[] {
  const names: Record<string, ServerHostKeyAlgorithm[]> = {
    'ssh-ed25519': ['ssh-ed25519'],
    'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
    'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
    'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
    'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  }
  return keyTypes.flatMap((type) => names[type] ?? [])
}

/** The agent first, then each usable identity file; remembers what was tried for the failure message. */
class AuthPlan {
  started = false
  private readonly queue: {label: string; method: AnyAuthMethod}[] = []
  private readonly tried: string[] = []
  private agentKeys: number | undefined
  private agentProblem: string | undefined
  private serverMethods: AuthenticationType[] | undefined

  constructor(ssh2: Ssh2, private readonly context: LoginContext) {
    const {config, identities} = context
    const username = config.user
    if (config.agentSocket) {
      const agent = countingAgent(ssh2, config.agentSocket, config.identitiesOnly ? identities.publicKeys : undefined, (count) => {
        this.agentKeys = count
      })
      this.queue.push({label: 'agent', method: {type: 'agent', username, agent}})
    }

    for (const {file, key} of identities.keys) this.queue.push({label: file, method: {type: 'publickey', username, key}})
  }

  next(methodsLeft: AuthenticationType[] | null, next: (method: AuthenticationType | AnyAuthMethod) => void): void {
    if (methodsLeft) this.serverMethods = methodsLeft
    const allowed = (method: AnyAuthMethod) => !methodsLeft || methodsLeft.includes(method.type === 'agent' ? 'publickey' : method.type)
    let step = this.queue.shift()
    while (step && !allowed(step.method)) step = this.queue.shift()
    if (!step) return next(false as unknown as AuthenticationType) // ssh2 takes false as "no more methods"
    this.started = true
    this.tried.push(step.label)
    next(step.method)
  }

  agentFailed(error: Error): void {
    this.agentProblem = oneLine(error.message)
  }

  /** One line: what was tried, what was skipped and why, what the server accepts. */
  failureSummary(serverSaid?: string): string {
    const {config, identities, home} = this.context
    const tried = this.tried.map((label) => (label === 'agent' ? this.agentLabel() : tildePath(label, home)))
    if (!config.agentSocket) tried.unshift('no SSH agent (SSH_AUTH_SOCK is not set)')
    const parts = [`authentication as "${config.user}" failed${serverSaid ? ` (${serverSaid})` : ''}`]
    parts.push(tried.length > 0 ? `tried ${tried.join(', ')}` : 'no key to try')
    if (this.tried.filter((label) => label !== 'agent').length === 0 && identities.keys.length === 0 && identities.encrypted.length === 0) {
      parts.push(config.identityFiles.length > 0 ? `no usable identity file among ${config.identityFiles.map((file) => tildePath(file, home)).join(', ')}` : 'no identity file (~/.ssh/id_ed25519, id_ecdsa, id_rsa) exists')
    }

    if (identities.encrypted.length > 0) {
      parts.push(`skipped passphrase-protected ${identities.encrypted.map((file) => tildePath(file, home)).join(', ')} (swarmnet never asks for passphrases: add the key to your agent with ssh-add)`)
    }

    if (identities.unusable.length > 0) parts.push(`could not use ${identities.unusable.map((file) => tildePath(file, home)).join(', ')}`)
    if (this.serverMethods && !this.serverMethods.includes('publickey')) parts.push(`the server accepts only ${this.serverMethods.join(', ')}`)
    return parts.join('; ')
  }

  private agentLabel(): string {
    if (this.agentProblem) return `the SSH agent (unavailable: ${this.agentProblem})`
    const count = this.agentKeys === undefined ? '' : ` (${this.agentKeys} key${this.agentKeys === 1 ? '' : 's'}${this.context.config.identitiesOnly ? ' matching IdentityFile' : ''})`
    return `the SSH agent${count}`
  }
}

/** The agent at `socketPath`, reporting how many keys it offers, limited to `only` under IdentitiesOnly. */
function countingAgent(ssh2: Ssh2, socketPath: string, only: Buffer[] | undefined, onCount: (count: number) => void) {
  class CountingAgent extends ssh2.OpenSSHAgent {
    override getIdentities(callback: IdentityCallback<ParsedKey>): void {
      super.getIdentities((error, keys) => {
        if (error || !keys) return callback(error, keys)
        const offered = only ? keys.filter((key) => 'getPublicSSH' in key && only.some((blob) => blob.equals(key.getPublicSSH()))) : keys
        onCount(offered.length)
        callback(undefined, offered)
      })
    }
  }

  return new CountingAgent(socketPath)
}

/** Host key verification against known_hosts, with OpenSSH's StrictHostKeyChecking rules. */
class HostKeyCheck {
  problem: SwarmnetError | undefined
  readonly lookup: {host: string; port?: number}

  constructor(private readonly context: LoginContext) {
    const {config} = context
    this.lookup = config.hostKeyAlias ? {host: config.hostKeyAlias} : {host: config.hostName, port: config.port}
  }

  verify(key: Buffer, verify: VerifyCallback): void {
    const {config, target, knownHosts, settings, home} = this.context
    const keyType = keyTypeOf(key)
    const print = `${keyType} ${fingerprint(key)}`
    const name = knownHostsName(this.lookup)
    const verdict = checkHostKey(knownHosts, this.lookup, keyType, key)
    const refuse = (message: string) => {
      this.problem = new SwarmnetError(`${target}: ${message}`)
      verify(false)
    }

    switch (verdict.status) {
      case 'match': {
        verify(true)
        return
      }

      case 'revoked': {
        refuse(`host key ${print} is marked @revoked in ${tildePath(verdict.file, home)}:${verdict.line}; refusing to connect`)
        return
      }

      case 'changed': {
        const file = tildePath(verdict.file, home)
        const fileFlag = file === '~/.ssh/known_hosts' ? '' : ` -f ${verdict.file}`
        refuse(`WARNING: HOST KEY FOR ${name} HAS CHANGED (now ${print}; known_hosts has another key at ${file}:${verdict.line}); someone may be intercepting the connection, or the host was reinstalled; refusing to connect; if the change is expected, remove the old key with: ssh-keygen -R '${name}'${fileFlag}`)
        return
      }

      case 'unknown': {
        const strict = config.strictHostKeyChecking
        if (!settings.acceptNewHostKey && strict !== 'accept-new' && strict !== 'no') {
          const known = tildePath(config.userKnownHostsFiles[0], home)
          const scan = `ssh-keyscan -H -p ${config.port} ${config.hostName}`
          // Under HostKeyAlias the line must carry the alias, not the scanned name.
          const trust = config.hostKeyAlias ? `${scan.replace(' -H', '')} | sed 's/^[^ ]*/${config.hostKeyAlias}/' >> ${known}` : `${scan} >> ${known}`
          refuse(`unknown host key for ${name} (${print}); refusing to connect; if that fingerprint is right, trust it with: ${trust}, or pass --accept-new-host-key`)
          return
        }

        this.record(key, print, verify)
      }
    }
  }

  /** Trust on first use: append to the first user known_hosts file, then proceed. */
  private record(key: Buffer, print: string, verify: VerifyCallback): void {
    const {config, target} = this.context
    const file = config.userKnownHostsFiles[0]
    appendKnownHost(file, this.lookup, key).then(
      () => verify(true),
      (error: unknown) => {
        this.problem = new SwarmnetError(`${target}: cannot record the new host key ${print} in ${file}: ${reasonOf(error)}; expected a writable known_hosts file`)
        verify(false)
      },
    )
  }
}

// ---------------------------------------------------------------------------------------------
// The session

class Ssh2Session implements SshSession {
  private closed = false
  private closing: Promise<void> | undefined
  private lastError: string | undefined
  private agent: DialStdioAgent | undefined
  // What currently needs the connection: while empty the socket is unref'd, so an idle session
  // (keep-alive channels waiting in the agent's pool) never keeps Node from exiting.
  private readonly holds = new Set<object>()

  constructor(
    readonly target: string,
    private readonly client: Client,
    private readonly sock: net.Socket,
    private readonly timeoutMs: number,
  ) {
    // Errors after login must never become uncaught 'error' events; they fail the next call instead.
    client.on('error', (error: SshError) => {
      this.lastError = reasonOf(error)
    })
    // On a lost connection ssh2 then closes every channel: each dial-stdio socket fails with that.
    client.on('close', () => {
      this.closed = true
    })
    this.updateRef()
  }

  dockerAgent(): http.Agent {
    this.agent ??= new DialStdioAgent(() => this.dialStdio())
    return this.agent
  }

  async exec(command: string, options: {timeoutMs?: number} = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const deadline = Date.now() + timeoutMs
    const channel = await this.openChannel(command, timeoutMs)
    const hold = {}
    this.hold(hold)
    try {
      return await this.collect(channel, command, Math.max(1, deadline - Date.now()), timeoutMs)
    } finally {
      this.release(hold)
    }
  }

  async forward(host: string, port: number, options: {timeoutMs?: number} = {}): Promise<Duplex> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const where = `${formatHost(host)}:${port}`
    if (this.closed) throw this.failure('the SSH connection is closed', FORWARD_REFUSED)
    const hold = {}
    this.hold(hold)
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        let done = false
        const timer = setTimeout(() => {
          done = true
          reject(new SwarmnetError(`${this.target}: timed out after ${formatSeconds(timeoutMs)} opening a forwarded connection to ${where}`, ExitCode.failure, FORWARD_REFUSED))
        }, timeoutMs)
        const opened = (error: (Error & {reason?: number | string}) | undefined, channel: ClientChannel) => {
          if (done) {
            channel?.close()
            return
          }

          done = true
          clearTimeout(timer)
          if (!error) return resolve(channel)
          // RFC 4254: 2 is SSH_OPEN_CONNECT_FAILED (refused or unreachable from the remote host).
          const said = oneLine(error.message.replace(/^\(SSH\) Channel open failure:\s*/, ''))
          if (error.reason === 2) reject(this.failure(`${where} refused the connection from the remote host (${said})`, FORWARD_CONNECT_FAILED))
          else reject(this.failure(`the server does not forward to ${where} (${said}${error.reason === 1 ? ': administratively prohibited' : ''}; AllowTcpForwarding?)`, FORWARD_REFUSED))
        }

        try {
          this.client.forwardOut('127.0.0.1', 0, host, port, opened)
        } catch {
          clearTimeout(timer)
          reject(this.failure('the SSH connection is closed', FORWARD_REFUSED))
        }
      })
      // The connection must keep Node running while the forwarded one is in use.
      this.hold(channel)
      channel.once('close', () => this.release(channel))
      return channel
    } finally {
      this.release(hold)
    }
  }

  async close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.closed = true
      this.agent?.destroy()
      if (this.sock.destroyed) return resolve()
      this.sock.ref() // so `await close()` is not cut short by an exiting event loop
      const timer = setTimeout(() => this.sock.destroy(), CLOSE_GRACE_MS)
      this.sock.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.client.end()
    })
    return this.closing
  }

  private async collect(channel: ClientChannel, command: string, remainingMs: number, timeoutMs: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      const timer = setTimeout(() => {
        channel.close()
        reject(new SwarmnetError(`${this.target}: timed out after ${formatSeconds(timeoutMs)} running "${command}"`))
      }, remainingMs)
      channel.on('data', (chunk: Buffer) => stdout.push(chunk))
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      channel.on('error', () => {}) // the 'close' below reports it
      // ssh2 passes the exit status to 'close' (an 'exit' event may already have fired before
      // these listeners exist, when a quick command's reply came in the same packet as the open).
      channel.on('close', (code?: number | null) => {
        clearTimeout(timer)
        if (code === undefined) {
          reject(this.failure(`connection lost while running "${command}"`))
          return
        }

        // killed by a signal: 255, as ssh(1) reports it
        resolve({stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), code: code ?? 255})
      })
      channel.end() // no stdin, like ssh -n
    })
  }

  /** A socket at once, its channel a moment later: http.Agent counts it right away against maxSockets. */
  private dialStdio(): ChannelSocket {
    return new ChannelSocket(this.openChannel(DIAL_STDIO, this.timeoutMs), (ending) => this.dialEnded(ending), (socket, held) => {
      if (held) this.hold(socket)
      else this.release(socket)
    })
  }

  /** How a dial-stdio channel's end reads: fine, the connection lost, or the remote command failed. */
  private dialEnded({code, stderr, sawData}: ChannelEnding): SwarmnetError | undefined {
    if (code === undefined && this.closed) return this.failure('the SSH connection was lost')
    if (sawData) return undefined
    const failed = code === undefined ? stderr.trim() !== '' : code !== 0
    return failed ? this.dialFailure(stderr, code) : undefined
  }

  private dialFailure(stderr: string, code: number | null | undefined): SwarmnetError {
    const said = oneLine(stderr).slice(0, 300)
    const status = code === undefined ? '' : code === null ? ' (killed by a signal)' : ` (exit ${code})`
    const hint = code === 127 || /not found/i.test(said) ? '; expected the docker CLI (18.09 or later) on the remote PATH' : ''
    return new SwarmnetError(`${this.target}: "${DIAL_STDIO}" failed on the remote host${status}${said ? `: ${said}` : ''}${hint}`)
  }

  /** A new session channel running `command`, bounded by `timeoutMs`. */
  private async openChannel(command: string, timeoutMs: number): Promise<ClientChannel> {
    if (this.closed) throw this.failure('the SSH connection is closed')
    const hold = {}
    this.hold(hold)
    try {
      return await new Promise<ClientChannel>((resolve, reject) => {
        let done = false
        const timer = setTimeout(() => {
          done = true
          reject(new SwarmnetError(`${this.target}: timed out after ${formatSeconds(timeoutMs)} opening an SSH channel for "${command}"`))
        }, timeoutMs)
        const opened = (error: Error | undefined, channel: ClientChannel) => {
          if (done) {
            channel?.close()
            return
          }

          done = true
          clearTimeout(timer)
          if (error) reject(this.failure(`cannot run "${command}": ${channelRefusal(error)}`))
          else resolve(channel)
        }

        try {
          this.client.exec(command, opened)
        } catch {
          clearTimeout(timer)
          reject(this.failure('the SSH connection is closed')) // ssh2 throws "Not connected"
        }
      })
    } finally {
      this.release(hold)
    }
  }

  private failure(what: string, code?: string): SwarmnetError {
    return new SwarmnetError(`${this.target}: ${what}${this.lastError ? ` (${this.lastError})` : ''}`, ExitCode.failure, code)
  }

  private hold(token: object): void {
    this.holds.add(token)
    this.updateRef()
  }

  private release(token: object): void {
    this.holds.delete(token)
    this.updateRef()
  }

  private updateRef(): void {
    if (this.closing) return
    if (this.holds.size > 0) this.sock.ref()
    else this.sock.unref()
  }
}

/** Why a channel was not opened; sshd answers "open failed" when its MaxSessions limit is reached. */
function channelRefusal(error: Error): string {
  const reason = reasonOf(error)
  return /open failed/i.test(reason) ? `the server refused a new channel (${reason}; sshd's MaxSessions limit?)` : reason
}

/**
 * Keep-alive HTTP agent whose "sockets" are dial-stdio channels. createConnection returns the
 * socket synchronously: Node's agent only counts sockets once they exist, so an asynchronous one
 * would let 25 concurrent requests open 25 channels, beyond sshd's MaxSessions.
 */
class DialStdioAgent extends http.Agent {
  constructor(private readonly dial: () => Duplex) {
    super({keepAlive: true, maxSockets: MAX_DIAL_CHANNELS, maxFreeSockets: MAX_DIAL_CHANNELS})
  }

  override createConnection(): Duplex {
    return this.dial()
  }
}

/**
 * An SSH channel dressed as the net.Socket http needs: setTimeout/ref/unref/setKeepAlive/
 * setNoDelay, one 'close' when done. Writes wait until the channel is open; if it cannot be
 * opened, the socket is destroyed with that error. If the remote command ends without sending a
 * byte and fails, the error carries its stderr, instead of http's "socket hang up".
 */
interface ChannelEnding {
  /** The exit status ssh2 reports on close: a number, null (killed by a signal) or undefined (none). */
  code: number | null | undefined
  stderr: string
  sawData: boolean
}

class ChannelSocket extends Duplex {
  timeout = 0
  private channel: ClientChannel | undefined
  private waiting: (() => void) | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private sawData = false
  private readEnded = false
  private stderr = ''

  constructor(
    opening: Promise<ClientChannel>,
    /** Decides whether the channel's end is an error; undefined means a normal end of stream. */
    private readonly ended: (ending: ChannelEnding) => Error | undefined,
    private readonly onRef: (socket: ChannelSocket, held: boolean) => void,
  ) {
    super({allowHalfOpen: false})
    onRef(this, true)
    opening.then(
      (channel) => this.attach(channel),
      (error: Error) => this.destroy(error),
    )
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms
    if (callback) {
      if (ms > 0) this.once('timeout', callback)
      else this.removeListener('timeout', callback)
    }

    this.touch()
    return this
  }

  setKeepAlive(): this {
    return this
  }

  setNoDelay(): this {
    return this
  }

  ref(): this {
    if (!this.destroyed) this.onRef(this, true)
    return this
  }

  unref(): this {
    this.onRef(this, false)
    return this
  }

  override _read(): void {
    this.channel?.resume()
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const channel = this.channel
    if (!channel) {
      this.waiting = () => this._write(chunk, encoding, callback) // Writable hands us one chunk at a time
      return
    }

    this.touch()
    // After the remote side closed, 'close' below ends or fails this socket; the bytes go nowhere.
    if (!channel.writable) return callback()
    channel.write(chunk, () => callback())
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.channel) {
      this.waiting = () => this._final(callback)
      return
    }

    if (this.channel.writable) this.channel.end()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer)
    this.channel?.close()
    this.onRef(this, false)
    callback(error)
  }

  private attach(channel: ClientChannel): void {
    if (this.destroyed) {
      channel.close()
      return
    }

    this.channel = channel
    channel.on('data', (chunk: Buffer) => {
      this.sawData = true
      this.touch()
      if (!this.push(chunk)) channel.pause()
    })
    channel.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_KEEP)
    })
    channel.on('error', (error: Error) => this.destroy(error))
    channel.on('end', () => {
      if (this.sawData) this.finishReading()
    })
    channel.on('close', (code?: number | null) => this.onChannelClose(code)) // ssh2 passes the exit status
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }

  private finishReading(): void {
    if (this.readEnded) return
    this.readEnded = true
    this.push(null)
  }

  private onChannelClose(code: number | null | undefined): void {
    if (this.destroyed) return
    const error = this.ended({code, stderr: this.stderr, sawData: this.sawData})
    if (error) this.destroy(error)
    else this.finishReading()
  }

  /** Idle timeout as net.Socket does it: 'timeout' after `timeout` ms without reads or writes. */
  private touch(): void {
    clearTimeout(this.idleTimer)
    if (this.timeout <= 0 || this.destroyed) return
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeout)
    this.idleTimer.unref()
  }
}
