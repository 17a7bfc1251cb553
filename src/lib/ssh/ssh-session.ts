import http from 'node:http'
import type net from 'node:net'
import type {Duplex} from 'node:stream'

import {formatSeconds} from '../core/duration.js'
import {ExitCode, SwarmnetError, oneLine, reasonOf} from '../core/errors.js'
import {type ChannelEnding, ChannelSocket} from './channel-socket.js'
import type {ExecResult, SshSession} from './ssh-client.js'
import type {SshChannel, SshConnection} from './ssh2-adapter.js'
import {formatHost} from './wording.js'

export const FORWARD_CONNECT_FAILED = 'EFORWARDCONNECT'
export const FORWARD_REFUSED = 'EFORWARD'
const DIAL_STDIO = 'docker system dial-stdio'
// sshd allows 10 sessions (channels) per connection by default (MaxSessions): keep room for exec.
const MAX_DIAL_CHANNELS = 6
const CLOSE_GRACE_MS = 1000

/** One logged-in SSH connection: commands, dial-stdio channels for the Docker API, forwarded TCP. */
export class Ssh2Session implements SshSession {
  private closed = false
  private closing: Promise<void> | undefined
  private lastError: string | undefined
  private agent: DialStdioAgent | undefined
  // What currently needs the connection: while empty the socket is unref'd, so an idle session
  // (keep-alive channels waiting in the agent's pool) never keeps Node from exiting.
  private readonly holds = new Set<object>()

  constructor(
    readonly target: string,
    private readonly client: SshConnection,
    private readonly sock: net.Socket,
    private readonly timeoutMs: number,
  ) {
    // Errors after login must never become uncaught 'error' events; they fail the next call instead.
    client.on('error', (error: Error) => {
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
      const channel = await new Promise<SshChannel>((resolve, reject) => {
        let done = false
        const timer = setTimeout(() => {
          done = true
          reject(new SwarmnetError(`${this.target}: timed out after ${formatSeconds(timeoutMs)} opening a forwarded connection to ${where}`, ExitCode.failure, FORWARD_REFUSED))
        }, timeoutMs)
        const opened = (error: (Error & {reason?: number | string}) | undefined, channel: SshChannel) => {
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

  private async collect(channel: SshChannel, command: string, remainingMs: number, timeoutMs: number): Promise<ExecResult> {
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
  private async openChannel(command: string, timeoutMs: number): Promise<SshChannel> {
    if (this.closed) throw this.failure('the SSH connection is closed')
    const hold = {}
    this.hold(hold)
    try {
      return await new Promise<SshChannel>((resolve, reject) => {
        let done = false
        const timer = setTimeout(() => {
          done = true
          reject(new SwarmnetError(`${this.target}: timed out after ${formatSeconds(timeoutMs)} opening an SSH channel for "${command}"`))
        }, timeoutMs)
        const opened = (error: Error | undefined, channel: SshChannel) => {
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
