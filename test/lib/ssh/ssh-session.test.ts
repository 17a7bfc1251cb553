import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {unlinkSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {SwarmnetError} from '../../../src/lib/core/errors.js'
import {eventually} from '../../helpers/poll.js'
import {freePort, get, rejection, startSshd, sshdLab} from '../../helpers/sshd.js'

/** A logged-in session against a real sshd (test/helpers/sshd.ts): exec, dial-stdio for the Docker API, forwarding. */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

describe('ssh-session (against a real sshd)', function () {
  this.timeout(60_000)
  const lab = sshdLab()
  before(lab.start)
  afterEach(lab.endTest)
  after(lab.stop)
  const {trustedHome, open} = lab

  describe('forward (direct-tcpip): the remote host connects', () => {
    it('carries a TCP exchange to an address as the remote host reaches it, several at once, on one connection', async () => {
      const echo = net.createServer((socket) => socket.on('data', (data) => socket.end(`echo:${data}`)))
      await new Promise<void>((resolve) => {
        echo.listen(0, '127.0.0.1', resolve)
      })
      try {
        const before = lab.forwarder.connections
        const session = await open(lab.forwarder.port, trustedHome(lab.forwarder.port))
        const {port} = echo.address() as net.AddressInfo
        const answers = await Promise.all(['a', 'b', 'c'].map(async (word) => {
          const socket = await session.forward('127.0.0.1', port)
          socket.write(word)
          const chunks: Buffer[] = []
          for await (const chunk of socket) chunks.push(chunk as Buffer)
          return Buffer.concat(chunks).toString()
        }))
        expect(answers).to.deep.equal(['echo:a', 'echo:b', 'echo:c'])
        expect(lab.forwarder.connections - before).to.equal(1)
      } finally {
        echo.close()
      }
    })

    it('a port nothing listens on: EFORWARDCONNECT (nothing was sent); a server that does not forward: EFORWARD', async () => {
      const session = await open(lab.sshd.port, trustedHome())
      const port = await freePort()
      const refused = (await rejection(session.forward('127.0.0.1', port))) as SwarmnetError
      expect([refused.code, refused.message]).to.deep.equal(['EFORWARDCONNECT', `ssh://root@127.0.0.1:${lab.sshd.port}: 127.0.0.1:${port} refused the connection from the remote host (Connection refused)`])
      const strict = await startSshd(lab.dir, 'noforward', [lab.hostKeyA], await freePort(), ['AllowTcpForwarding no'])
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
      const session = await open(lab.sshd.port, trustedHome())
      expect(await session.exec('echo out; echo err >&2; exit 3')).to.deep.equal({stdout: 'out\n', stderr: 'err\n', code: 3})
      const error = await rejection(session.exec('sleep 5', {timeoutMs: 500}))
      expect(error.message).to.equal(`ssh://root@127.0.0.1:${lab.sshd.port}: timed out after 0.5s running "sleep 5"`)
    })

    it('carries sequential and concurrent Docker API requests over ONE SSH connection', async () => {
      const before = lab.forwarder.connections
      const dockerdBefore = lab.dockerd.stats.connections
      const session = await open(lab.forwarder.port, trustedHome(lab.forwarder.port))
      const agent = session.dockerAgent()
      expect(session.dockerAgent()).to.equal(agent)
      for (let i = 0; i < 10; i++) {
        expect(await get(agent, '/_ping')).to.deep.equal({status: 200, body: 'OK'})
      }

      // keep-alive: the sequential requests reused one dial-stdio channel
      expect(lab.dockerd.stats.connections - dockerdBefore).to.equal(1)
      const concurrent = await Promise.all(Array.from({length: 25}, async (_, i) => get(agent, i % 2 ? '/_ping' : '/v1.41/version')))
      for (const [i, response] of concurrent.entries()) {
        expect(response.status).to.equal(200)
        if (i % 2 === 0) expect(JSON.parse(response.body)).to.deep.include({Version: '99.0-fake'})
      }

      expect(lab.dockerd.stats.connections - dockerdBefore).to.be.within(2, 6) // several channels, bounded
      expect((await session.exec('echo still-here')).stdout).to.equal('still-here\n')
      expect(lab.forwarder.connections - before).to.equal(1)
    })

    it('works as the agent of dockerode (docker-modem) too', async () => {
      const {default: Docker} = await import('dockerode')
      const session = await open(lab.sshd.port, trustedHome())
      const docker = new Docker({protocol: 'http', host: 'docker', port: 80, agent: session.dockerAgent(), timeout: 5000})
      expect(String(await docker.ping())).to.equal('OK')
    })

    it('fails a request with the remote stderr when dial-stdio fails or docker is missing', async () => {
      const session = await open(lab.sshd.port, trustedHome())
      const broken = path.join(lab.dir, 'docker-broken')
      writeFileSync(broken, '')
      try {
        const error = await rejection(get(session.dockerAgent(), '/_ping'))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error.message).to.equal(`ssh://root@127.0.0.1:${lab.sshd.port}: "docker system dial-stdio" failed on the remote host (exit 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`)
      } finally {
        unlinkSync(broken)
      }

      const missing = path.join(lab.dir, 'docker-missing')
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
      const session = await open(lab.forwarder.port, trustedHome(lab.forwarder.port))
      expect(await get(session.dockerAgent(), '/_ping')).to.deep.equal({status: 200, body: 'OK'})
      const slowBefore = lab.dockerd.stats.slow
      const inFlight = rejection(get(session.dockerAgent(), '/slow'))
      await eventually('the request reached the engine', () => lab.dockerd.stats.slow > slowBefore, 10_000, 20)
      lab.forwarder.resetAll()
      const lost = await inFlight
      expect(lost).to.be.instanceOf(SwarmnetError)
      expect(lost.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${lab.forwarder.port}: the SSH connection was lost \\(connection reset\\)$`))
      const error = await rejection(session.exec('true'))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error.message).to.match(new RegExp(`^ssh://root@127\\.0\\.0\\.1:${lab.forwarder.port}: the SSH connection is closed`))
      const request = await rejection(get(session.dockerAgent(), '/_ping'))
      expect(request.message).to.match(/the SSH connection is closed/)
      await session.close()
      await session.close() // twice is fine
    })

    it('never keeps Node from exiting: neither after close() nor while idle', async () => {
      const script = path.join(lab.dir, 'exit-check.mjs')
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
        const child = spawn(process.execPath, ['--import', 'tsx', script, String(lab.sshd.port), home, mode], {cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']})
        lab.children.push(child)
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
