// Runs HAProxy in master-worker mode as a child process: validate with `haproxy -c`,
// reload with SIGUSR2 (the master re-reads the file and hands the listening sockets
// to the new worker; the old worker finishes its connections), stop with SIGTERM.
// A reload counts as done when the master says "Loading success." AND the old workers
// have stopped accepting ("Proxy X stopped"): they share the listening sockets with the
// new worker until then, so a request sent right after an answer could still meet the
// old routes.
import { spawn, execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'

const SIGUSR2_BIT = 1n << 11n // signal 12 in /proc/<pid>/status masks
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// `show stat` on the admin socket: the same CSV as the stats page's ";csv".
export function showStat(socketPath, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    let out = ''
    const sock = net.connect(socketPath, () => sock.end('show stat\n'))
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer from ${socketPath}`)))
    sock.on('data', (c) => (out += c))
    sock.on('end', () => resolve(out))
    sock.on('error', reject)
  })
}

/**
 * The load or reload waited for: the master's alerts, whether it loaded (and the reload signal
 * arrived), the workers accepting before it, and how to answer.
 * @typedef {{alerts: string[], loaded: boolean, reloading: boolean, old: Set<number>, resolve: (r: {ok: boolean, message: string, output: string}) => void}} Waiter
 */

export class HAProxy {
  /** @param {{bin?: string, cfg: string, log?: (line: string) => void, onExit?: (code: number | null, signal: NodeJS.Signals | null) => void}} options */
  constructor({ bin = 'haproxy', cfg, log = console.log, onExit = () => {} }) {
    this.bin = bin
    this.cfg = cfg
    this.log = log
    this.onExit = onExit
    /** @type {import('node:child_process').ChildProcess | null} */
    this.child = null
    /** @type {Waiter | null} */
    this.waiter = null // the load/reload we wait for
    this.stopping = false
    /** @type {Set<number>} */
    this.accepting = new Set() // worker pids that may still accept connections
  }

  // `haproxy -c -V`, as the real proxy checks; its output is kept for the answer.
  validate(file) {
    return new Promise((resolve) => {
      execFile(this.bin, ['-c', '-V', '-f', file], (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout, stderr })
        if (err.code === 'ENOENT') return resolve({ ok: false, stdout: '', stderr: `cannot run ${this.bin}: not found` })
        resolve({ ok: false, stdout, stderr })
      })
    })
  }

  // Resolves once the first worker is up ("Loading success."), rejects if it fails.
  start() {
    const loaded = this.waitForLoad()
    this.child = spawn(this.bin, ['-W', '-db', '-f', this.cfg], { stdio: ['ignore', 'pipe', 'pipe'] })
    for (const stream of [this.child.stdout, this.child.stderr]) this.readLines(stream)
    this.child.on('error', (err) => this.finish(false, `cannot run ${this.bin}: ${err.message}`))
    this.child.on('exit', (code, signal) => {
      this.child = null
      this.finish(false, `HAProxy exited (${signal || code})`)
      if (!this.stopping) this.onExit(code, signal)
    })
    return loaded.then((r) => {
      if (!r.ok) throw new Error(r.output || r.message)
    })
  }

  // Graceful reload; resolves { ok, message, output } from the master's verdict on the new
  // file (output: the master's own ALERT lines, as HAProxy printed them).
  async reload() {
    if (!this.child) return { ok: false, message: 'HAProxy is not running' }
    await this.masterListening()
    const loaded = this.waitForLoad()
    const waiter = this.waiter
    this.child?.kill('SIGUSR2')
    // Should the signal still be lost, send it again rather than wait out the timeout.
    const resend = setInterval(() => {
      if (waiter && this.waiter === waiter && !waiter.reloading) this.child?.kill('SIGUSR2')
    }, 2000)
    return loaded.finally(() => clearInterval(resend))
  }

  // After a reload the master re-executes itself and only catches SIGUSR2 again once it is
  // back in its loop; a SIGUSR2 sent before then is lost (seen in the lab: a reload that
  // waited out its whole timeout). Waits, briefly, until /proc says the master catches it.
  async masterListening(timeoutMs = 2000) {
    const deadline = Date.now() + timeoutMs
    while (this.child && Date.now() < deadline) {
      const status = await fs.readFile(`/proc/${this.child.pid}/status`, 'utf8').catch(() => '')
      const mask = (name) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`)
      if (!status || ((mask('SigCgt') & SIGUSR2_BIT) && !(mask('SigBlk') & SIGUSR2_BIT))) return
      await sleep(5)
    }
  }

  stop() {
    this.stopping = true
    const child = this.child
    if (!child) return Promise.resolve()
    return new Promise(/** @param {(value?: unknown) => void} resolve */ (resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      child.kill('SIGTERM') // the master stops its workers and exits
    })
  }

  waitForLoad(timeoutMs = 15000) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log(`HAProxy did not confirm the reload within ${timeoutMs} ms, carrying on`)
        this.finish(true, '')
      }, timeoutMs)
      this.waiter = {
        alerts: [],
        loaded: false,
        reloading: false, // the master said "Reloading HAProxy": the signal arrived
        old: new Set(this.accepting),
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r)
        },
      }
    })
  }

  finish(ok, message) {
    const w = this.waiter
    if (!w) return
    this.waiter = null
    w.resolve({ ok, message: ok ? '' : message, output: ok ? '' : w.alerts.join('\n') })
  }

  readLines(stream) {
    let buf = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk) => {
      buf += chunk
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        this.onLine(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    })
  }

  onLine(line) {
    if (!line.trim()) return
    this.log(`haproxy: ${line}`)
    const pid = Number(/^\[\w+\]\s*\((\d+)\)/.exec(line)?.[1] ?? 0)
    let m
    if ((m = /New worker \((\d+)\) forked/.exec(line))) this.accepting.add(Number(m[1]))
    if ((m = /worker \((\d+)\) exited/.exec(line))) this.accepting.delete(Number(m[1]))
    if (/Proxy \S+ stopped/.test(line)) this.accepting.delete(pid)
    const w = this.waiter
    if (!w) return
    if (line.includes('Reloading HAProxy')) w.reloading = true
    // Only the master's alerts explain a failed load; workers' are about traffic.
    if (line.startsWith('[ALERT]') && this.child && pid === this.child.pid) w.alerts.push(line)
    if (line.includes('Loading failure!')) return this.finish(false, 'HAProxy could not load the new configuration')
    if (line.includes('Loading success.') && !w.loaded) {
      w.loaded = true
      // Should a HAProxy not log the old worker's stop, do not wait for it for long.
      setTimeout(() => this.waiter === w && this.finish(true, ''), 2000)
    }
    if (w.loaded && [...w.old].every((p) => !this.accepting.has(p))) this.finish(true, '')
  }
}
