import {expect} from 'chai'
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {type SshSession, type SshSettings, openSshSession} from '../../../src/lib/ssh/ssh-client.js'
import {eventually} from '../../helpers/poll.js'

/**
 * Against a real OpenSSH server run as root on 127.0.0.1 with a generated config. Its session PATH
 * (sshd SetEnv) starts with a fake `docker` whose `system dial-stdio` connects stdin/stdout to a
 * unix socket served by a small Node HTTP server in this process, the way the real one reaches
 * dockerd. A counting TCP forwarder in front of sshd proves that one SSH connection carries all.
 */

const SSHD = '/usr/sbin/sshd'
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

interface Sshd {
  port: number
  process: ChildProcess
  log: string[]
  stop(): Promise<void>
}

interface Forwarder {
  port: number
  connections: number
  /** Resets every proxied connection (the client sees ECONNRESET). */
  resetAll(): void
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function keygen(file: string, passphrase = '', type = 'ed25519'): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', path.basename(file), '-f', file], {stdio: 'ignore'})
  return readFileSync(`${file}.pub`, 'utf8').trim()
}

function fingerprintOf(publicKeyFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], {encoding: 'utf8'}).split(' ')[1]
}

/** startSshd on a port the kernel just gave out; should another process take it meanwhile, on another. */
async function startSshdOnFreePort(dir: string, name: string, hostKeys: string[]): Promise<Sshd> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSshd(dir, name, hostKeys, await freePort())
    } catch (error) {
      if (attempt === 3 || !/Address already in use/.test(String(error))) throw error
    }
  }
}

async function startSshd(dir: string, name: string, hostKeys: string[], port: number, extra: string[] = []): Promise<Sshd> {
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

async function startForwarder(targetPort: number): Promise<Forwarder> {
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
async function startFakeDockerd(socketPath: string) {
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
function writeFakeDocker(dir: string, socketPath: string): void {
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

async function get(agent: http.Agent, urlPath: string): Promise<{status: number; body: string}> {
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

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }

  throw new Error('expected a rejection')
}

describe('ssh-client (against a real sshd)', function () {
  this.timeout(60_000)
  let dir: string
  let sshd: Sshd
  let forwarder: Forwarder
  let dockerd: Awaited<ReturnType<typeof startFakeDockerd>>
  let hostKeyA: string
  let hostKeyB: string
  let hostKeyEcdsa: string
  let homeCount = 0
  const sessions: SshSession[] = []
  const children: ChildProcess[] = []

  before(async () => {
    if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: these tests need a real OpenSSH server; run apt-get install openssh-server`)
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // privilege separation dir
    dir = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-sshd-'))
    mkdirSync(path.join(dir, 'keys'))
    mkdirSync(path.join(dir, 'remote-home'))
    hostKeyA = path.join(dir, 'keys', 'host_a')
    hostKeyB = path.join(dir, 'keys', 'host_b')
    keygen(hostKeyA)
    keygen(hostKeyB)
    hostKeyEcdsa = path.join(dir, 'keys', 'host_ecdsa')
    keygen(hostKeyEcdsa, '', 'ecdsa')
    const authorized = [keygen(path.join(dir, 'keys', 'client')), keygen(path.join(dir, 'keys', 'encrypted'), 'secret passphrase')]
    keygen(path.join(dir, 'keys', 'stranger')) // not authorized
    writeFileSync(path.join(dir, 'authorized_keys'), authorized.join('\n') + '\n')
    const socketPath = path.join(dir, 'docker.sock')
    dockerd = await startFakeDockerd(socketPath)
    writeFakeDocker(dir, socketPath)
    sshd = await startSshdOnFreePort(dir, 'sshd', [hostKeyA, hostKeyEcdsa])
    forwarder = await startForwarder(sshd.port)
  })

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map(async (session) => session.close()))
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })

  after(async () => {
    await forwarder?.close()
    await sshd?.stop()
    await dockerd?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  /** A fresh HOME with ~/.ssh holding the given keys (as id_ed25519 etc.) and known_hosts lines. */
  function makeHome(options: {keys?: Record<string, string>; knownHosts?: string[]; config?: string} = {}): string {
    const home = path.join(dir, `home-${++homeCount}`)
    const sshDir = path.join(home, '.ssh')
    mkdirSync(sshDir, {recursive: true, mode: 0o700})
    for (const [name, key] of Object.entries(options.keys ?? {})) {
      writeFileSync(path.join(sshDir, name), readFileSync(path.join(dir, 'keys', key)), {mode: 0o600})
    }

    if (options.knownHosts) writeFileSync(path.join(sshDir, 'known_hosts'), options.knownHosts.join('\n') + '\n')
    if (options.config) writeFileSync(path.join(sshDir, 'config'), options.config)
    return home
  }

  const hostKeyLine = (name: string, key = hostKeyA) => `${name} ${readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`
  const trustedHome = (port = sshd.port) => makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${port}`)]})

  async function open(port: number, home: string, extra: Partial<SshSettings> = {}, host = '127.0.0.1'): Promise<SshSession> {
    const session = await openSshSession({host, port, user: 'root'}, {acceptNewHostKey: false, timeoutMs: 10_000, home, env: {HOME: home}, ...extra})
    sessions.push(session)
    return session
  }

  describe('host keys', () => {
    it('refuses an unknown host key in one line with its SHA256 fingerprint and how to trust it', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}})
      const error = await rejection(open(sshd.port, home))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect((error as SwarmnetError).exitCode).to.equal(1)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${sshd.port}: unknown host key for \\[127\\.0\\.0\\.1\\]:${sshd.port}`))
      expect(error.message).to.include(`ssh-ed25519 ${fingerprintOf(`${hostKeyA}.pub`)}`)
      expect(error.message).to.include(`ssh-keyscan -H -p ${sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts`)
      expect(error.message).to.include('--accept-new-host-key')
      expect(error.message).not.to.include('\n')
      expect(existsSync(path.join(home, '.ssh', 'known_hosts'))).to.equal(false)
    })

    it('accepts a new key with acceptNewHostKey, records it hashed (0600), and trusts it next time', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}})
      const first = await open(sshd.port, home, {acceptNewHostKey: true})
      expect((await first.exec('echo hello')).stdout).to.equal('hello\n')
      const knownHosts = path.join(home, '.ssh', 'known_hosts')
      expect(statSync(knownHosts).mode & 0o777).to.equal(0o600)
      expect(readFileSync(knownHosts, 'utf8')).to.match(/^\|1\|/)
      const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', knownHosts], {encoding: 'utf8'})
      expect(found).to.include(readFileSync(`${hostKeyA}.pub`, 'utf8').split(' ')[1])
      const second = await open(sshd.port, home)
      expect((await second.exec('echo again')).stdout).to.equal('again\n')
    })

    it('accepts a new key when the ssh config says StrictHostKeyChecking accept-new (or no)', async () => {
      for (const value of ['accept-new', 'no']) {
        const home = makeHome({keys: {id_ed25519: 'client'}, config: `Host 127.0.0.1\n  StrictHostKeyChecking ${value}\n`})
        const session = await open(sshd.port, home)
        expect((await session.exec('true')).code).to.equal(0)
        expect(existsSync(path.join(home, '.ssh', 'known_hosts'))).to.equal(true)
      }
    })

    it('refuses a CHANGED host key, even with acceptNewHostKey, naming file:line and ssh-keygen -R', async () => {
      const port = await freePort()
      const home = makeHome({keys: {id_ed25519: 'client'}})
      let other = await startSshd(dir, 'sshd-changing', [hostKeyA], port)
      try {
        await open(port, home, {acceptNewHostKey: true})
        await Promise.all(sessions.splice(0).map(async (session) => session.close()))
        await other.stop()
        other = await startSshd(dir, 'sshd-changing', [hostKeyB], port) // "reinstalled" with a new key
        const error = await rejection(open(port, home, {acceptNewHostKey: true}))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${port}: WARNING: HOST KEY FOR \\[127\\.0\\.0\\.1\\]:${port} HAS CHANGED`))
        expect(error.message).to.include(fingerprintOf(`${hostKeyB}.pub`))
        expect(error.message).to.include('~/.ssh/known_hosts:1')
        expect(error.message).to.include(`ssh-keygen -R '[127.0.0.1]:${port}'`)
        expect(error.message).not.to.include('\n')
        expect(readFileSync(path.join(home, '.ssh', 'known_hosts'), 'utf8').trim().split('\n')).to.have.length(1) // nothing appended
      } finally {
        await other.stop()
      }
    })

    it('asks a server with several host keys for the type known_hosts has, as OpenSSH does', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${sshd.port}`, hostKeyEcdsa)]})
      const session = await open(sshd.port, home)
      expect((await session.exec('echo ecdsa')).stdout).to.equal('ecdsa\n')
    })

    it('refuses a key marked @revoked', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${sshd.port}`), `@revoked ${hostKeyLine('*')}`]})
      const error = await rejection(open(sshd.port, home, {acceptNewHostKey: true}))
      expect(error.message).to.match(/^ssh:\/\/root@127\.0\.0\.1:\d+: host key ssh-ed25519 SHA256:\S+ is marked @revoked in ~\/\.ssh\/known_hosts:2/)
    })
  })

  describe('authentication', () => {
    it('logs in with a key from the agent when there is no key file', async () => {
      const agentSocket = path.join(dir, 'agent.sock')
      const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], {stdio: 'ignore'})
      children.push(agent)
      await eventually('ssh-agent listens', () => existsSync(agentSocket), 10_000, 20)
      execFileSync('ssh-add', [path.join(dir, 'keys', 'client')], {env: {...process.env, SSH_AUTH_SOCK: agentSocket}, stdio: 'ignore'})
      const home = makeHome({knownHosts: [hostKeyLine(`[127.0.0.1]:${sshd.port}`)]})
      const session = await open(sshd.port, home, {env: {HOME: home, SSH_AUTH_SOCK: agentSocket}})
      expect((await session.exec('echo agent')).stdout).to.equal('agent\n')

      // IdentitiesOnly: agent keys that are not an IdentityFile are not offered
      const strict = makeHome({
        knownHosts: [hostKeyLine(`[127.0.0.1]:${sshd.port}`)],
        config: `Host 127.0.0.1\n  IdentitiesOnly yes\n  IdentityFile ${path.join(dir, 'keys', 'stranger')}\n`,
      })
      const error = await rejection(open(sshd.port, strict, {env: {HOME: strict, SSH_AUTH_SOCK: agentSocket}}))
      expect(error.message).to.include('the SSH agent (0 keys matching IdentityFile)')
      agent.kill()
    })

    it('fails with one line listing what was tried and the skipped passphrase-protected key', async () => {
      const home = makeHome({keys: {id_ed25519: 'stranger', id_rsa: 'encrypted'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${sshd.port}`)]})
      const error = await rejection(open(sshd.port, home))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${sshd.port}: authentication as "root" failed`))
      expect(error.message).to.include('no SSH agent (SSH_AUTH_SOCK is not set)')
      expect(error.message).to.include('tried')
      expect(error.message).to.include('~/.ssh/id_ed25519')
      expect(error.message).to.include('skipped passphrase-protected ~/.ssh/id_rsa')
      expect(error.message).to.include('ssh-add')
      expect(error.message).not.to.include('\n')
      expect(error.message).not.to.include('PRIVATE KEY')
    })
  })

  describe('connection failures', () => {
    it('says connection refused', async () => {
      const port = await freePort()
      const error = await rejection(open(port, trustedHome(port)))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.equal(`ssh://root@127.0.0.1:${port}: connection refused; expected an SSH server on port ${port}`)
    })

    it('times out while connecting when SYNs go unanswered, within timeoutMs', async () => {
      // A listener whose accept queue is full drops further SYNs: a black hole on 127.0.0.1. Its
      // process blocks its event loop, so nothing is ever accepted.
      const holder = spawn(process.execPath, ['-e', `
        const server = require('node:net').createServer()
        server.listen({port: 0, host: '127.0.0.1', backlog: 1}, () => {
          console.log(server.address().port)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000)
        })`], {stdio: ['ignore', 'pipe', 'ignore']})
      children.push(holder)
      const port = Number(await new Promise<string>((resolve) => holder.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))))
      // Linux queues backlog + 1 connections: once two fillers are connected, the queue is full.
      let connected = 0
      const fillers = Array.from({length: 4}, () => net.connect(port, '127.0.0.1').on('connect', () => connected++).on('error', () => {}))
      try {
        await eventually('the accept queue is full', () => connected >= 2, 10_000, 20)
        const error = await rejection(open(port, trustedHome(port), {timeoutMs: 1500}))
        expect(error.message).to.equal(`ssh://root@127.0.0.1:${port}: timed out after 1.5s connecting`)
      } finally {
        for (const filler of fillers) filler.destroy()
      }
    })

    it('fails on an unroutable address (10.255.255.1), by timeoutMs', async () => {
      const error = await rejection(open(22, trustedHome(22), {timeoutMs: 1500}, '10.255.255.1'))
      expect(error).to.be.instanceOf(SwarmnetError)
      // Where outgoing TCP goes through a transparent proxy (as on some CI sandboxes) the connect
      // "succeeds" and the proxy hangs up on the SSH greeting; elsewhere the connect times out.
      expect(error.message).to.match(/^ssh:\/\/root@10\.255\.255\.1:22: (timed out after 1\.5s connecting|the server closed the connection before the SSH handshake)/)
    })

    it('times out when the server never speaks SSH', async () => {
      const silent = net.createServer(() => {})
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const {port} = silent.address() as net.AddressInfo
      try {
        const error = await rejection(open(port, trustedHome(port), {timeoutMs: 1000}))
        expect(error.message).to.equal(`ssh://root@127.0.0.1:${port}: timed out after 1s waiting for the SSH handshake and login`)
      } finally {
        silent.close()
      }
    })

    it('names a host that does not resolve', async () => {
      const error = await rejection(open(22, trustedHome(22), {timeoutMs: 5000}, 'no-such-node.invalid'))
      expect(error.message).to.match(/^ssh:\/\/root@no-such-node\.invalid:22: host name "no-such-node\.invalid" not found/)
    })

    it('refuses ProxyJump and a missing explicit ssh config as usage errors', async () => {
      const home = makeHome({config: 'Host behind\n  ProxyJump bastion\n'})
      const proxy = await rejection(open(22, home, {}, 'behind'))
      expect(proxy).to.be.instanceOf(UsageError)
      expect(proxy.message).to.include('ProxyJump')
      const missing = path.join(dir, 'no-such-config')
      const error = await rejection(open(22, home, {configPath: missing}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.include(missing)
    })
  })

  describe('ssh config end to end', () => {
    it('connects through a Host alias with HostName, Port, User, IdentityFile and UserKnownHostsFile', async () => {
      const knownHosts = path.join(dir, 'alias_known_hosts')
      writeFileSync(knownHosts, hostKeyLine(`[127.0.0.1]:${sshd.port}`) + '\n')
      const configFile = path.join(dir, 'alias_config')
      writeFileSync(configFile, [
        'Host swarm-node',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        '  User root',
        `  IdentityFile ${path.join(dir, 'keys', 'client')}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
      ].join('\n'))
      const home = makeHome() // no keys, no known_hosts: everything must come from the config
      const session = await openSshSession({host: 'swarm-node'}, {acceptNewHostKey: false, timeoutMs: 10_000, configPath: configFile, home, env: {HOME: home}})
      sessions.push(session)
      expect(session.target).to.equal(`ssh://root@127.0.0.1:${sshd.port}`)
      expect((await session.exec('echo via-alias')).stdout).to.equal('via-alias\n')
    })

    it('looks the host key up under HostKeyAlias', async () => {
      const home = makeHome({
        keys: {id_ed25519: 'client'},
        knownHosts: [hostKeyLine('swarm-key-alias')],
        config: `Host node-a\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  HostKeyAlias swarm-key-alias\n`,
      })
      const session = await open(sshd.port, home, {}, 'node-a')
      expect((await session.exec('echo aliased-key')).stdout).to.equal('aliased-key\n')

      writeFileSync(path.join(home, '.ssh', 'known_hosts'), hostKeyLine(`[127.0.0.1]:${sshd.port}`) + '\n') // known by name, not by alias
      const error = await rejection(open(sshd.port, home, {}, 'node-a'))
      expect(error.message).to.include('unknown host key for swarm-key-alias')
      expect(error.message).to.include(`ssh-keyscan -p ${sshd.port} 127.0.0.1 | sed 's/^[^ ]*/swarm-key-alias/' >> ~/.ssh/known_hosts`)
    })
  })

  describe('forward (direct-tcpip): the remote host connects', () => {
    it('carries a TCP exchange to an address as the remote host reaches it, several at once, on one connection', async () => {
      const echo = net.createServer((socket) => socket.on('data', (data) => socket.end(`echo:${data}`)))
      await new Promise<void>((resolve) => {
        echo.listen(0, '127.0.0.1', resolve)
      })
      try {
        const before = forwarder.connections
        const session = await open(forwarder.port, trustedHome(forwarder.port))
        const {port} = echo.address() as net.AddressInfo
        const answers = await Promise.all(['a', 'b', 'c'].map(async (word) => {
          const socket = await session.forward('127.0.0.1', port)
          socket.write(word)
          const chunks: Buffer[] = []
          for await (const chunk of socket) chunks.push(chunk as Buffer)
          return Buffer.concat(chunks).toString()
        }))
        expect(answers).to.deep.equal(['echo:a', 'echo:b', 'echo:c'])
        expect(forwarder.connections - before).to.equal(1)
      } finally {
        echo.close()
      }
    })

    it('a port nothing listens on: EFORWARDCONNECT (nothing was sent); a server that does not forward: EFORWARD', async () => {
      const session = await open(sshd.port, trustedHome())
      const port = await freePort()
      const refused = (await rejection(session.forward('127.0.0.1', port))) as SwarmnetError
      expect([refused.code, refused.message]).to.deep.equal(['EFORWARDCONNECT', `ssh://root@127.0.0.1:${sshd.port}: 127.0.0.1:${port} refused the connection from the remote host (Connection refused)`])
      const strict = await startSshd(dir, 'noforward', [hostKeyA], await freePort(), ['AllowTcpForwarding no'])
      try {
        const other = await open(strict.port, trustedHome(strict.port))
        const prohibited = (await rejection(other.forward('127.0.0.1', port))) as SwarmnetError
        expect([prohibited.code, prohibited.message]).to.deep.equal(['EFORWARD', `ssh://root@127.0.0.1:${strict.port}: the server does not forward to 127.0.0.1:${port} (open failed: administratively prohibited; AllowTcpForwarding?)`])
      } finally {
        await strict.stop()
      }
    })
  })

  describe('one session', () => {
    it('runs commands with exit codes and stderr, and bounds them by the timeout', async () => {
      const session = await open(sshd.port, trustedHome())
      expect(await session.exec('echo out; echo err >&2; exit 3')).to.deep.equal({stdout: 'out\n', stderr: 'err\n', code: 3})
      const error = await rejection(session.exec('sleep 5', {timeoutMs: 500}))
      expect(error.message).to.equal(`ssh://root@127.0.0.1:${sshd.port}: timed out after 0.5s running "sleep 5"`)
    })

    it('carries sequential and concurrent Docker API requests over ONE SSH connection', async () => {
      const before = forwarder.connections
      const dockerdBefore = dockerd.stats.connections
      const session = await open(forwarder.port, trustedHome(forwarder.port))
      const agent = session.dockerAgent()
      expect(session.dockerAgent()).to.equal(agent)
      for (let i = 0; i < 10; i++) {
        expect(await get(agent, '/_ping')).to.deep.equal({status: 200, body: 'OK'})
      }

      // keep-alive: the sequential requests reused one dial-stdio channel
      expect(dockerd.stats.connections - dockerdBefore).to.equal(1)
      const concurrent = await Promise.all(Array.from({length: 25}, async (_, i) => get(agent, i % 2 ? '/_ping' : '/v1.41/version')))
      for (const [i, response] of concurrent.entries()) {
        expect(response.status).to.equal(200)
        if (i % 2 === 0) expect(JSON.parse(response.body)).to.deep.include({Version: '99.0-fake'})
      }

      expect(dockerd.stats.connections - dockerdBefore).to.be.within(2, 6) // several channels, bounded
      expect((await session.exec('echo still-here')).stdout).to.equal('still-here\n')
      expect(forwarder.connections - before).to.equal(1)
    })

    it('works as the agent of dockerode (docker-modem) too', async () => {
      const {default: Docker} = await import('dockerode')
      const session = await open(sshd.port, trustedHome())
      const docker = new Docker({protocol: 'http', host: 'docker', port: 80, agent: session.dockerAgent(), timeout: 5000})
      expect(String(await docker.ping())).to.equal('OK')
    })

    it('fails a request with the remote stderr when dial-stdio fails or docker is missing', async () => {
      const session = await open(sshd.port, trustedHome())
      const broken = path.join(dir, 'docker-broken')
      writeFileSync(broken, '')
      try {
        const error = await rejection(get(session.dockerAgent(), '/_ping'))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error.message).to.equal(`ssh://root@127.0.0.1:${sshd.port}: "docker system dial-stdio" failed on the remote host (exit 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`)
      } finally {
        unlinkSync(broken)
      }

      const missing = path.join(dir, 'docker-missing')
      writeFileSync(missing, '')
      try {
        const error = await rejection(get(session.dockerAgent(), '/_ping'))
        expect(error.message).to.match(/"docker system dial-stdio" failed on the remote host \(exit 127\): .*not found; expected the docker CLI/)
      } finally {
        unlinkSync(missing)
      }

      expect(await get(session.dockerAgent(), '/_ping')).to.deep.equal({status: 200, body: 'OK'}) // and recovers
    })

    it('survives the connection dying after setup: no crash, later calls fail by name', async () => {
      const session = await open(forwarder.port, trustedHome(forwarder.port))
      expect(await get(session.dockerAgent(), '/_ping')).to.deep.equal({status: 200, body: 'OK'})
      const slowBefore = dockerd.stats.slow
      const inFlight = rejection(get(session.dockerAgent(), '/slow'))
      await eventually('the request reached the engine', () => dockerd.stats.slow > slowBefore, 10_000, 20)
      forwarder.resetAll()
      const lost = await inFlight
      expect(lost).to.be.instanceOf(SwarmnetError)
      expect(lost.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${forwarder.port}: the SSH connection was lost \\(connection reset\\)$`))
      const error = await rejection(session.exec('true'))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${forwarder.port}: the SSH connection is closed`))
      const request = await rejection(get(session.dockerAgent(), '/_ping'))
      expect(request.message).to.match(/the SSH connection is closed/)
      await session.close()
      await session.close() // twice is fine
    })

    it('never keeps Node from exiting: neither after close() nor while idle', async () => {
      const script = path.join(dir, 'exit-check.mjs')
      const client = pathToFileURL(path.join(repoRoot, 'src/lib/ssh/ssh-client.ts')).href
      writeFileSync(script, `
import http from 'node:http'
const {openSshSession} = await import(${JSON.stringify(client)})
const [port, home, mode] = process.argv.slice(2)
const session = await openSshSession({host: '127.0.0.1', port: Number(port), user: 'root'}, {acceptNewHostKey: false, timeoutMs: 10000, home, env: {HOME: home}})
const body = await new Promise((resolve, reject) => {
  http.get({host: 'docker', path: '/_ping', agent: session.dockerAgent()}, (response) => {
    let text = ''
    response.on('data', (chunk) => (text += chunk))
    response.on('end', () => resolve(text))
  }).on('error', reject)
})
if (mode === 'close') await session.close()
console.log('done ' + body)
`)
      const home = trustedHome()
      for (const mode of ['close', 'idle']) {
        const child = spawn(process.execPath, ['--import', 'tsx', script, String(sshd.port), home, mode], {cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']})
        children.push(child)
        let output = ''
        child.stdout!.on('data', (chunk: Buffer) => (output += chunk))
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk))
        const code = await new Promise((resolve) => {
          const timer = setTimeout(() => resolve('still running after 15s'), 15_000)
          child.once('exit', (exitCode) => {
            clearTimeout(timer)
            resolve(exitCode)
          })
        })
        // The 15 s only stops a child that would never exit; it decides nothing else.
        expect({mode, code, output: output.trim()}).to.deep.equal({mode, code: 0, output: 'done OK'})
      }
    })
  })
})
