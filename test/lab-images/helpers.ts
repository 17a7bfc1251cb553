// Shared helpers for the lab image tests: run the images' programs as plain host
// processes, talk HTTP to them without connection reuse, and find leftover processes.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

export const repoFile = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url))

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

// A fresh connection per request: HAProxy drops idle keep-alive connections on reload
// and a pooled client would then see spurious errors.
export function request(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: { connection: 'close', ...opts.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.setTimeout(opts.timeoutMs ?? 20000, () => req.destroy(new Error(`timeout: ${url}`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Proc {
  child: ChildProcess
  output: () => string
  exited: Promise<Exit>
  hasExited: () => boolean
}

// Starts `node <script>` with only PATH inherited (so stray variables of the caller's
// environment cannot change what the program does) and waits for `readyText` in its output.
export async function startNode(script: string, env: Record<string, string>, readyText: string, timeoutMs = 15000): Promise<Proc> {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let done = false
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()))
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true
      resolve({ code, signal })
    }),
  )
  const proc: Proc = { child, output: () => out, exited, hasExited: () => done }
  const deadline = Date.now() + timeoutMs
  while (!out.includes(readyText)) {
    if (done) throw new Error(`${script} exited before it was ready:\n${out}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${script} was not ready after ${timeoutMs} ms:\n${out}`)
    }
    await sleep(25)
  }
  return proc
}

export async function stop(proc: Proc | undefined, timeoutMs = 5000): Promise<Exit | undefined> {
  if (!proc) return undefined
  if (!proc.hasExited()) proc.child.kill('SIGTERM')
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs)
  const exit = await proc.exited
  clearTimeout(timer)
  return exit
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

// Live (not zombie) processes whose command line mentions `text`, e.g. a temp dir
// that only our HAProxy's "-f <dir>/haproxy.cfg" contains.
export function processesMentioning(text: string): number[] {
  const pids: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')
      const state = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\)\s+/, '')[0]
      if (cmdline.includes(text) && state !== 'Z') pids.push(Number(entry))
    } catch {
      // the process went away while we looked
    }
  }
  return pids
}

// Last-resort cleanup when a test failed half-way.
export function killProcessesMentioning(text: string): void {
  for (const pid of processesMentioning(text)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
