import {expect} from 'chai'
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {openSshSession} from '../../../src/lib/ssh/ssh-client.js'
import {eventually} from '../../helpers/poll.js'
import {fingerprintOf, freePort, rejection, startSshd, sshdLab} from '../../helpers/sshd.js'

/** openSshSession against a real sshd (test/helpers/sshd.ts): host keys, login, connecting, the ssh config. */

describe('ssh-client: opening a session (against a real sshd)', function () {
  this.timeout(60_000)
  const lab = sshdLab()
  before(lab.start)
  afterEach(lab.endTest)
  after(lab.stop)
  const {makeHome, hostKeyLine, trustedHome, open} = lab

  describe('host keys', () => {
    it('refuses an unknown host key in one line with its SHA256 fingerprint and how to trust it', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}})
      const error = await rejection(open(lab.sshd.port, home))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect((error as SwarmnetError).exitCode).to.equal(1)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${lab.sshd.port}: unknown host key for \\[127\\.0\\.0\\.1\\]:${lab.sshd.port}`))
      expect(error.message).to.include(`ssh-ed25519 ${fingerprintOf(`${lab.hostKeyA}.pub`)}`)
      expect(error.message).to.include(`ssh-keyscan -H -p ${lab.sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts`)
      expect(error.message).to.include('--accept-new-host-key')
      expect(error.message).not.to.include('\n')
      expect(existsSync(path.join(home, '.ssh', 'known_hosts'))).to.equal(false)
    })

    it('accepts a new key with acceptNewHostKey, records it hashed (0600), and trusts it next time', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}})
      const first = await open(lab.sshd.port, home, {acceptNewHostKey: true})
      expect((await first.exec('echo hello')).stdout).to.equal('hello\n')
      const knownHosts = path.join(home, '.ssh', 'known_hosts')
      expect(statSync(knownHosts).mode & 0o777).to.equal(0o600)
      expect(readFileSync(knownHosts, 'utf8')).to.match(/^\|1\|/)
      const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${lab.sshd.port}`, '-f', knownHosts], {encoding: 'utf8'})
      expect(found).to.include(readFileSync(`${lab.hostKeyA}.pub`, 'utf8').split(' ')[1])
      const second = await open(lab.sshd.port, home)
      expect((await second.exec('echo again')).stdout).to.equal('again\n')
    })

    it('accepts a new key when the ssh config says StrictHostKeyChecking accept-new (or no)', async () => {
      for (const value of ['accept-new', 'no']) {
        const home = makeHome({keys: {id_ed25519: 'client'}, config: `Host 127.0.0.1\n  StrictHostKeyChecking ${value}\n`})
        const session = await open(lab.sshd.port, home)
        expect((await session.exec('true')).code).to.equal(0)
        expect(existsSync(path.join(home, '.ssh', 'known_hosts'))).to.equal(true)
      }
    })

    it('refuses a CHANGED host key, even with acceptNewHostKey, naming file:line and ssh-keygen -R', async () => {
      const port = await freePort()
      const home = makeHome({keys: {id_ed25519: 'client'}})
      let other = await startSshd(lab.dir, 'sshd-changing', [lab.hostKeyA], port)
      try {
        await open(port, home, {acceptNewHostKey: true})
        await Promise.all(lab.sessions.splice(0).map(async (session) => session.close()))
        await other.stop()
        other = await startSshd(lab.dir, 'sshd-changing', [lab.hostKeyB], port) // "reinstalled" with a new key
        const error = await rejection(open(port, home, {acceptNewHostKey: true}))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${port}: WARNING: HOST KEY FOR \\[127\\.0\\.0\\.1\\]:${port} HAS CHANGED`))
        expect(error.message).to.include(fingerprintOf(`${lab.hostKeyB}.pub`))
        expect(error.message).to.include('~/.ssh/known_hosts:1')
        expect(error.message).to.include(`ssh-keygen -R '[127.0.0.1]:${port}'`)
        expect(error.message).not.to.include('\n')
        expect(readFileSync(path.join(home, '.ssh', 'known_hosts'), 'utf8').trim().split('\n')).to.have.length(1) // nothing appended
      } finally {
        await other.stop()
      }
    })

    it('asks a server with several host keys for the type known_hosts has, as OpenSSH does', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`, lab.hostKeyEcdsa)]})
      const session = await open(lab.sshd.port, home)
      expect((await session.exec('echo ecdsa')).stdout).to.equal('ecdsa\n')
    })

    it('refuses a key marked @revoked', async () => {
      const home = makeHome({keys: {id_ed25519: 'client'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`), `@revoked ${hostKeyLine('*')}`]})
      const error = await rejection(open(lab.sshd.port, home, {acceptNewHostKey: true}))
      expect(error.message).to.match(/^ssh:\/\/root@127\.0\.0\.1:\d+: host key ssh-ed25519 SHA256:\S+ is marked @revoked in ~\/\.ssh\/known_hosts:2/)
    })
  })

  describe('authentication', () => {
    it('logs in with a key from the agent when there is no key file', async () => {
      const agentSocket = path.join(lab.dir, 'agent.sock')
      const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], {stdio: 'ignore'})
      lab.children.push(agent)
      await eventually('ssh-agent listens', () => existsSync(agentSocket), 10_000, 20)
      execFileSync('ssh-add', [path.join(lab.dir, 'keys', 'client')], {env: {...process.env, SSH_AUTH_SOCK: agentSocket}, stdio: 'ignore'})
      const home = makeHome({knownHosts: [hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`)]})
      const session = await open(lab.sshd.port, home, {env: {HOME: home, SSH_AUTH_SOCK: agentSocket}})
      expect((await session.exec('echo agent')).stdout).to.equal('agent\n')

      // IdentitiesOnly: agent keys that are not an IdentityFile are not offered
      const strict = makeHome({
        knownHosts: [hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`)],
        config: `Host 127.0.0.1\n  IdentitiesOnly yes\n  IdentityFile ${path.join(lab.dir, 'keys', 'stranger')}\n`,
      })
      const error = await rejection(open(lab.sshd.port, strict, {env: {HOME: strict, SSH_AUTH_SOCK: agentSocket}}))
      expect(error.message).to.include('the SSH agent (0 keys matching IdentityFile)')
      agent.kill()
    })

    it('fails with one line listing what was tried and the skipped passphrase-protected key', async () => {
      const home = makeHome({keys: {id_ed25519: 'stranger', id_rsa: 'encrypted'}, knownHosts: [hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`)]})
      const error = await rejection(open(lab.sshd.port, home))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${lab.sshd.port}: authentication as "root" failed`))
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
      lab.children.push(holder)
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
      const missing = path.join(lab.dir, 'no-such-config')
      const error = await rejection(open(22, home, {configPath: missing}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.include(missing)
    })
  })

  describe('ssh config end to end', () => {
    it('connects through a Host alias with HostName, Port, User, IdentityFile and UserKnownHostsFile', async () => {
      const knownHosts = path.join(lab.dir, 'alias_known_hosts')
      writeFileSync(knownHosts, hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`) + '\n')
      const configFile = path.join(lab.dir, 'alias_config')
      writeFileSync(configFile, [
        'Host swarm-node',
        '  HostName 127.0.0.1',
        `  Port ${lab.sshd.port}`,
        '  User root',
        `  IdentityFile ${path.join(lab.dir, 'keys', 'client')}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
      ].join('\n'))
      const home = makeHome() // no keys, no known_hosts: everything must come from the config
      const session = await openSshSession({host: 'swarm-node'}, {acceptNewHostKey: false, timeoutMs: 10_000, configPath: configFile, home, env: {HOME: home}})
      lab.sessions.push(session)
      expect(session.target).to.equal(`ssh://root@127.0.0.1:${lab.sshd.port}`)
      expect((await session.exec('echo via-alias')).stdout).to.equal('via-alias\n')
    })

    it('looks the host key up under HostKeyAlias', async () => {
      const home = makeHome({
        keys: {id_ed25519: 'client'},
        knownHosts: [hostKeyLine('swarm-key-alias')],
        config: `Host node-a\n  HostName 127.0.0.1\n  Port ${lab.sshd.port}\n  HostKeyAlias swarm-key-alias\n`,
      })
      const session = await open(lab.sshd.port, home, {}, 'node-a')
      expect((await session.exec('echo aliased-key')).stdout).to.equal('aliased-key\n')

      writeFileSync(path.join(home, '.ssh', 'known_hosts'), hostKeyLine(`[127.0.0.1]:${lab.sshd.port}`) + '\n') // known by name, not by alias
      const error = await rejection(open(lab.sshd.port, home, {}, 'node-a'))
      expect(error.message).to.include('unknown host key for swarm-key-alias')
      expect(error.message).to.include(`ssh-keyscan -p ${lab.sshd.port} 127.0.0.1 | sed 's/^[^ ]*/swarm-key-alias/' >> ~/.ssh/known_hosts`)
    })
  })
})
