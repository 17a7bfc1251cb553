import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {type SshSession, type SshSettings, openSshSession} from '../../src/lib/ssh/ssh-client.js'

/**
 * For the SSH client's tests against a real OpenSSH server run as root on 127.0.0.1 with a generated config. Its session PATH
 * (sshd SetEnv) starts with a fake `docker` whose `system dial-stdio` connects stdin/stdout to a
 * unix socket served by a small Node HTTP server in this process, the way the real one reaches
 * dockerd. A counting TCP forwarder in front of sshd proves that one SSH connection carries all.
 */

const SSHD = '/usr/sbin/sshd'

export interface Sshd {
  port: number
  process: ChildProcess
  log: string[]
  stop(): Promise<void>
}

export interface Forwarder {
  port: number
  connections: number
  /** Resets every proxied connection (the client sees ECONNRESET). */
  resetAll(): void
  close(): Promise<void>
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export function keygen(file: string, passphrase = '', type = 'ed25519'): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', path.basename(file), '-f', file], {stdio: 'ignore'})
  return readFileSync(`${file}.pub`, 'utf8').trim()
}

export function fingerprintOf(publicKeyFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], {encoding: 'utf8'}).split(' ')[1]
}

/** startSshd on a port the kernel just gave out; should another process take it meanwhile, on another. */
export async function startSshdOnFreePort(dir: string, name: string, hostKeys: string[]): Promise<Sshd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSshd(dir, name, hostKeys, await freePort())
    } catch (error) {
      if (attempt === 3 || !/Address already in use/.test(String(error))) throw error
    }
  }
}

export async function startSshd(dir: string, name: string, hostKeys: string[], port: number, extra: string[] = []): Promise<Sshd> {
  const configFile = path.join(dir, `${name}_config`)
  writeFileSync(configFile, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeys.map((key) => `HostKey ${key}`),
    `PidFile ${path.join(dir, `${name}.pid`)}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UseDNS no',
    'LogLevel VERBOSE',
    // PATH for the fake docker; HOME so the session's shell reads no real ~/.bashrc.
    `SetEnv PATH=${path.join(dir, 'bin')}:/usr/bin:/bin HOME=${path.join(dir, 'remote-home')}`,
    ...extra,
    '',
  ].join('\n'))
  const child = spawn(SSHD, ['-D', '-e', '-f', configFile], {stdio: ['ignore', 'ignore', 'pipe']})
  const log: string[] = []
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log.join(' | ')}`)), 10_000)
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (text: string) => {
      log.push(...text.split('\n').filter(Boolean))
      if (text.includes('Server listening')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`sshd exited with ${code}: ${log.join(' | ')}`))
    })
  })
  return {
    port,
    process: child,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

export async function startForwarder(targetPort: number): Promise<Forwarder> {
  const sockets = new Set<net.Socket>()
  const forwarder = {port: 0, connections: 0, resetAll, close}
  const server = net.createServer((client) => {
    forwarder.connections++
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }

    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  forwarder.port = (server.address() as net.AddressInfo).port
  function resetAll() {
    for (const socket of sockets) socket.resetAndDestroy()
  }

  async function close() {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }

  return forwarder
}

/** The engine's side: what `docker system dial-stdio` would reach. Counts its connections. */
export async function startFakeDockerd(socketPath: string) {
  const stats = {connections: 0, requests: 0, slow: 0}
  const server = http.createServer((request, response) => {
    stats.requests++
    if (request.url === '/slow') {
      stats.slow++
      return // never answers: for requests in flight when the connection dies
    } else if (request.url === '/_ping') {
      response.writeHead(200, {'Content-Type': 'text/plain'}).end('OK')
    } else if (request.url?.endsWith('/version')) {
      response.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({Version: '99.0-fake', ApiVersion: '1.41', Os: 'linux'}))
    } else {
      response.writeHead(404, {'Content-Type': 'application/json'}).end(JSON.stringify({message: `no route ${request.url}`}))
    }
  })
  server.on('connection', () => stats.connections++)
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  return {
    stats,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** `docker` for the sshd session: only `system dial-stdio`, bridged to the fake engine's socket. */
export function writeFakeDocker(dir: string, socketPath: string): void {
  const bin = path.join(dir, 'bin')
  mkdirSync(bin, {recursive: true})
  const bridge = path.join(dir, 'dial-stdio.mjs')
  writeFileSync(bridge, `
import net from 'node:net'
const socket = net.connect(process.argv[2])
socket.on('error', (error) => { process.stderr.write('dial-stdio: ' + error.message + '\\n'); process.exit(1) })
socket.on('connect', () => { process.stdin.pipe(socket); socket.pipe(process.stdout) })
socket.on('close', () => process.exit(0))
`)
  writeFileSync(path.join(bin, 'docker'), `#!/bin/sh
if [ -e ${dir}/docker-missing ]; then exec docker-not-installed-anywhere "$@"; fi
if [ -e ${dir}/docker-broken ]; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
  exit 1
fi
if [ "$1 $2" != "system dial-stdio" ]; then echo "fake docker: only system dial-stdio" >&2; exit 1; fi
exec ${process.execPath} ${bridge} ${socketPath}
`)
  chmodSync(path.join(bin, 'docker'), 0o755)
}

export async function get(agent: http.Agent, urlPath: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const request = http.request({host: 'docker', path: urlPath, agent, timeout: 10_000}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString()}))
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(new Error('request timed out')))
    request.on('error', reject)
    request.end()
  })
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }

  throw new Error('expected a rejection')
}

/**
 * One suite's server: `start` (in before) runs sshd (host keys A and ECDSA) behind a counting
 * forwarder, and the fake engine, with keys client (authorized), encrypted (authorized, with a
 * passphrase) and stranger; `endTest` (in afterEach) closes the sessions opened with `open` and
 * kills the children pushed to `children`; `stop` (in after) removes it all.
 */
export function sshdLab() {
  const lab = {
    dir: '',
    sshd: undefined as unknown as Sshd,
    forwarder: undefined as unknown as Forwarder,
    dockerd: undefined as unknown as Awaited<ReturnType<typeof startFakeDockerd>>,
    hostKeyA: '',
    hostKeyB: '',
    hostKeyEcdsa: '',
    sessions: [] as SshSession[],
    children: [] as ChildProcess[],
    makeHome,
    hostKeyLine,
    trustedHome,
    open,
    start,
    endTest,
    stop,
  }
  let homeCount = 0

  async function start(): Promise<void> {
    if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: these tests need a real OpenSSH server; run apt-get install openssh-server`)
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // privilege separation dir
    const dir = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-sshd-'))
    lab.dir = dir
    mkdirSync(path.join(dir, 'keys'))
    mkdirSync(path.join(dir, 'remote-home'))
    lab.hostKeyA = path.join(dir, 'keys', 'host_a')
    lab.hostKeyB = path.join(dir, 'keys', 'host_b')
    keygen(lab.hostKeyA)
    keygen(lab.hostKeyB)
    lab.hostKeyEcdsa = path.join(dir, 'keys', 'host_ecdsa')
    keygen(lab.hostKeyEcdsa, '', 'ecdsa')
    const authorized = [keygen(path.join(dir, 'keys', 'client')), keygen(path.join(dir, 'keys', 'encrypted'), 'secret passphrase')]
    keygen(path.join(dir, 'keys', 'stranger')) // not authorized
    writeFileSync(path.join(dir, 'authorized_keys'), authorized.join('\n') + '\n')
    const socketPath = path.join(dir, 'docker.sock')
    lab.dockerd = await startFakeDockerd(socketPath)
    writeFakeDocker(dir, socketPath)
    lab.sshd = await startSshdOnFreePort(dir, 'sshd', [lab.hostKeyA, lab.hostKeyEcdsa])
    lab.forwarder = await startForwarder(lab.sshd.port)
  }

  async function endTest(): Promise<void> {
    await Promise.all(lab.sessions.splice(0).map(async (session) => session.close()))
    for (const child of lab.children.splice(0)) child.kill('SIGKILL')
  }

  async function stop(): Promise<void> {
    await lab.forwarder?.close()
    await lab.sshd?.stop()
    await lab.dockerd?.close()
    if (lab.dir) rmSync(lab.dir, {recursive: true, force: true})
  }

  /** A fresh HOME with ~/.ssh holding the given keys (as id_ed25519 etc.) and known_hosts lines. */
  function makeHome(options: {keys?: Record<string, string>; knownHosts?: string[]; config?: string} = {}): string {
    const home = path.join(lab.dir, `home-${++homeCount}`)
    const sshDir = path.join(home, '.ssh')
    mkdirSync(sshDir, {recursive: true, mode: 0o700})
    for (const [name, key] of Object.entries(options.keys ?? {})) {
      writeFileSync(path.join(sshDir, name), readFileSync(path.join(lab.dir, 'keys', key)), {mode: 0o600})
    }

    if (options.knownHosts) writeFileSync(path.join(sshDir, 'known_hosts'), options.knownHosts.join('\n') + '\n')
    if (options.config) writeFileSync(path.join(sshDir, 'config'), options.config)
    return home
  }

  function hostKeyLine(name: string, key = lab.hostKeyA): string {
    return `${name} ${readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`
  }

  /** A HOME with the authorized client key that knows host key A at 127.0.0.1:port. */
  function trustedHome(port = lab.sshd.port): string {
    return makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${port}`)]})
  }

  async function open(port: number, home: string, extra: Partial<SshSettings> = {}, host = '127.0.0.1'): Promise<SshSession> {
    const session = await openSshSession({host, port, user: 'root'}, {acceptNewHostKey: false, timeoutMs: 10_000, home, env: {HOME: home}, ...extra})
    lab.sessions.push(session)
    return session
  }

  return lab
}
