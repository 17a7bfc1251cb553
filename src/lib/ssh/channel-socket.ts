import {Duplex} from 'node:stream'

import type {SshChannel} from './ssh2-adapter.js'

const STDERR_KEEP = 2000

/** How a channel ended: what decides whether its socket ends or fails. */
export interface ChannelEnding {
  /** The exit status ssh2 reports on close: a number, null (killed by a signal) or undefined (none). */
  code: number | null | undefined
  stderr: string
  sawData: boolean
}

/**
 * An SSH channel dressed as the net.Socket http needs: setTimeout/ref/unref/setKeepAlive/
 * setNoDelay, one 'close' when done. Writes wait until the channel is open; if it cannot be
 * opened, the socket is destroyed with that error. If the remote command ends without sending a
 * byte and fails, the error carries its stderr, instead of http's "socket hang up".
 */
export class ChannelSocket extends Duplex {
  timeout = 0
  private channel: SshChannel | undefined
  private waiting: (() => void) | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private sawData = false
  private readEnded = false
  private stderr = ''

  constructor(
    opening: Promise<SshChannel>,
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

  private attach(channel: SshChannel): void {
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
