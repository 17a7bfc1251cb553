import {expect} from 'chai'
import {type ChildProcess, execFile, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import {ROOT, cleanEnv, swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {LAB_NODES, docker as dockerOnPath, eventually, labVars, nodeSocket} from '../../helpers/lab.js'

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Every docker CLI on PATH, one per real binary, with its version: this machine has Debian's 20.10 and a 28.x. */
function dockerClis(): {bin: string; version: string}[] {
  const found = execFileSync('which', ['-a', 'docker'], {encoding: 'utf8'}).trim().split('\n')
  const seen = new Map<string, {bin: string; version: string}>()
  for (const bin of found) {
    const real = realpathSync(bin)
    if (seen.has(real)) continue
    // `docker --version`: "Docker version 28.2.2, build e6534b4" (docker version would ask the daemon too).
    const version = /Docker version (\S+),/.exec(execFileSync(bin, ['--version'], {encoding: 'utf8', env: cleanEnv()}))?.[1] ?? 'unknown'
    seen.set(real, {bin, version})
  }

  return [...seen.values()]
}

/** Runs one docker CLI, from a clean environment (never the developer's docker settings) plus `env`. */
function runDocker(bin: string, args: string[], env: Record<string, string | undefined>): Promise<Result> & {child: ChildProcess} {
  let child!: ChildProcess
  const done = new Promise<Result>((resolve) => {
    child = execFile(bin, args, {env: cleanEnv(env), timeout: 120_000}, (error, stdout, stderr) => {
      resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr)})
    })
  })
  return Object.assign(done, {child})
}

/** What `docker node ls` says the swarm's node ids are: the witness for swarmnet's answers. */
async function managerNodeIds(): Promise<string[]> {
  const out = await dockerOnPath(['-H', nodeSocket('node-1'), 'node', 'ls', '--format', '{{.ID}}'])
  return out.stdout.trim().split('\n').sort()
}

function expectLabNodes(result: Result, ids: string[]): void {
  expect(result.code, result.stderr).to.equal(0)
  const nodes = JSON.parse(result.stdout) as {id: string; hostname: string}[]
  expect(nodes.map((n) => n.hostname)).to.deep.equal(LAB_NODES)
  expect(nodes.map((n) => n.id).sort()).to.deep.equal(ids)
}

describe('docker swarmnet: swarmnet as a docker CLI plugin, with both docker CLIs', function () {
  this.timeout(180_000)
  const clis = dockerClis()
  let tmp: ReturnType<typeof tempDir>
  /** A DOCKER_CONFIG of the test's own, with the plugin installed and a context for node-1. */
  let config: string
  let plugin: string
  let ids: string[]

  before(async () => {
    tmp = tempDir()
    config = path.join(tmp.dir, 'docker')
    plugin = path.join(config, 'cli-plugins', 'docker-swarmnet')
    const installed = await swarmnet(['docker-plugin', 'install', '--json'], {env: {DOCKER_CONFIG: config, HOME: tmp.dir}})
    expect(installed.code, installed.stderr).to.equal(0)
    expect(installed.json).to.deep.include({action: 'installed', file: plugin})
    const context = await dockerOnPath(['context', 'create', 'lab-manager', '--docker', `host=${nodeSocket('node-1')}`], {DOCKER_CONFIG: config})
    expect(context.code, context.stderr).to.equal(0)
    ids = await managerNodeIds()
  })
  after(() => tmp?.remove())

  it('finds both docker CLIs on this machine: 20.10 and 28.x', () => {
    expect(clis.map((c) => c.version.split('.')[0]).sort()).to.deep.equal(['20', '28'])
  })

  it('installs an executable that names this swarmnet, marked as swarmnet\'s', () => {
    const text = readFileSync(plugin, 'utf8')
    expect(text.split('\n')[1]).to.equal('# swarmnet-docker-plugin: written by `swarmnet docker-plugin install`')
    expect(text).to.include(`exec '${process.execPath}' '${realpathSync(ROOT)}/bin/docker-swarmnet.js' "$@"`)
  })

  it('answers docker\'s metadata call with JSON only', async () => {
    const result = await new Promise<Result>((resolve) => {
      execFile(plugin, ['docker-cli-plugin-metadata'], {env: cleanEnv()}, (error, stdout, stderr) => resolve({code: error ? 1 : 0, stdout, stderr}))
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.equal('')
    const pjson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(JSON.parse(result.stdout)).to.deep.equal({SchemaVersion: '0.1.0', Vendor: 'swarmnet', Version: pjson.version, ShortDescription: 'Docker Swarm networking from the command line'})
  })

  for (const {bin, version} of clis) {
    describe(`docker ${version} (${bin})`, () => {
      const docker = (args: string[], env: Record<string, string | undefined> = {}) => runDocker(bin, args, {DOCKER_CONFIG: config, HOME: tmp.dir, ...env})

      it('lists swarmnet in docker --help', async () => {
        const result = await docker(['--help'])
        expect(result.code, result.stderr).to.equal(0)
        expect(result.stdout).to.match(/^\s+swarmnet\*\s+Docker Swarm networking from the command line/m)
      })

      it('docker -H unix:///…/node-1/docker.sock swarmnet node ls --json', async () => {
        expectLabNodes(await docker(['-H', nodeSocket('node-1'), 'swarmnet', 'node', 'ls', '--json']), ids)
        expectLabNodes(await docker([`--host=${nodeSocket('node-1')}`, 'swarmnet', 'node', 'ls', '--json']), ids)
      })

      it('docker --context X swarmnet …, the context from DOCKER_CONFIG and from --config', async () => {
        expectLabNodes(await docker(['--context', 'lab-manager', 'swarmnet', 'node', 'ls', '--json']), ids)
        // docker finds the plugin under --config too, and swarmnet reads the context from there.
        expectLabNodes(await docker(['--config', config, '-c', 'lab-manager', 'swarmnet', 'node', 'ls', '--json'], {DOCKER_CONFIG: path.join(tmp.dir, 'elsewhere')}), ids)
      })

      it('DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (the lab\'s TLS engine) docker swarmnet …', async () => {
        const lab = await labVars()
        expectLabNodes(await docker(['swarmnet', 'node', 'ls', '--json'], {DOCKER_HOST: lab.DOCKER_HOST, DOCKER_TLS_VERIFY: lab.DOCKER_TLS_VERIFY, DOCKER_CERT_PATH: lab.DOCKER_CERT_PATH}), ids)
      })

      it('docker --tlsverify --tlscacert/--tlscert/--tlskey -H tcp://… swarmnet …', async () => {
        const certs = (await labVars()).DOCKER_CERT_PATH!
        const host = (await labVars()).DOCKER_HOST!
        const args = ['--tlsverify', '--tlscacert', `${certs}/ca.pem`, `--tlscert=${certs}/cert.pem`, '--tlskey', `${certs}/key.pem`, '-H', host, 'swarmnet', 'node', 'ls', '--json']
        expectLabNodes(await docker(args), ids)
        // Without --tlsverify the same engine refuses plain HTTP: the option, not luck, made the TLS.
        const plain = await docker(['-H', host, 'swarmnet', 'node', 'ls', '--json'])
        expect(plain.code).to.equal(1)
        expect(JSON.parse(plain.stdout).error.exitCode).to.equal(1)
      })

      it('refuses TLS without verification, before connecting, as a usage error (exit 2)', async () => {
        // With a CA that exists: docker 20.10 itself stops at a missing one, before running the plugin.
        const certs = (await labVars()).DOCKER_CERT_PATH!
        const result = await docker(['--tls', '--tlscacert', `${certs}/ca.pem`, '-H', 'tcp://10.213.0.11:2376', 'swarmnet', 'node', 'ls'])
        expect(result.code).to.equal(2)
        expect(result.stderr.trim()).to.equal("Error: --tls without --tlsverify asks for TLS without checking the engine's certificate, which swarmnet does not do; use --tlsverify (with --tlscacert)")
      })

      it('reads as docker swarmnet in help, usage and errors', async () => {
        const help = await docker(['swarmnet', 'node', 'ls', '--help'])
        expect(help.code, help.stderr).to.equal(0)
        expect(help.stdout).to.match(/^ {2}\$ docker swarmnet node ls/m)
        expect(help.stdout).not.to.match(/\$ swarmnet /)
        const typo = await docker(['-H', nodeSocket('node-1'), 'swarmnet', 'nodee', 'ls'])
        expect(typo.code).to.equal(2)
        expect(typo.stderr.trim()).to.equal('Error: unknown command "nodee ls"; did you mean "node ls"? see docker swarmnet --help')
      })
    })
  }

  describe('DOCKER_CLI_PLUGIN_SOCKET (docker 24+)', () => {
    // An engine that accepts connections and never answers: the command waits until told to stop.
    let silent: net.Server
    const held: net.Socket[] = []
    /** What each connection sent: swarmnet's request, not docker's own (User-Agent Docker-Client), shows it is waiting. */
    const requests: string[] = []
    before(async () => {
      silent = net.createServer((socket) => {
        held.push(socket)
        socket.on('data', (data) => requests.push(data.toString('latin1')))
      })
      await new Promise<void>((resolve) => {
        silent.listen(0, '127.0.0.1', resolve)
      })
    })
    after(() => {
      for (const socket of held) socket.destroy()
      silent.close()
    })

    it('stops with "interrupted" (130) when docker, interrupted with its output piped, closes the socket', async function () {
      const newer = clis.find((c) => Number(c.version.split('.')[0]) >= 24)
      expect(newer, 'a docker CLI with the plugin socket').to.not.equal(undefined)
      const {port} = silent.address() as net.AddressInfo
      const run = runDocker(newer!.bin, ['-H', `tcp://127.0.0.1:${port}`, 'swarmnet', 'node', 'ls', '--timeout', '10m'], {DOCKER_CONFIG: config, HOME: tmp.dir})
      // SIGINT to docker alone (not its process group): the plugin hears of it only through the socket.
      await eventually('swarmnet waiting on the silent engine', async () => requests.some((r) => /^[A-Z]+ \//.test(r) && !/User-Agent: Docker-Client/i.test(r)))
      run.child.kill('SIGINT')
      const result = await run
      expect(result.code, result.stderr).to.equal(130)
      expect(result.stderr).to.include('interrupted')
    })
  })

  describe('install and uninstall', () => {
    let own: string
    const inOwn = (args: string[]) => swarmnet(['docker-plugin', ...args, '--config-dir', own, '--json'], {env: {HOME: tmp.dir}})
    beforeEach(() => {
      own = path.join(tmp.dir, `own-${Math.random().toString(16).slice(2)}`)
    })

    it('refuses to replace a docker-swarmnet it did not write without --force (exit 1), replaces it with --force', async () => {
      const file = path.join(own, 'cli-plugins', 'docker-swarmnet')
      mkdirSync(path.dirname(file), {recursive: true})
      writeFileSync(file, '#!/bin/sh\necho not swarmnet\n', {mode: 0o755})
      const refused = await inOwn(['install'])
      expect(refused.code).to.equal(1)
      expect(refused.json.error.message).to.equal(`${file} exists and was not written by swarmnet (no swarmnet marker); not replaced: move it away, or give --force to replace it`)
      expect(readFileSync(file, 'utf8')).to.equal('#!/bin/sh\necho not swarmnet\n')
      const forced = await inOwn(['install', '--force'])
      expect(forced.code, forced.stderr).to.equal(0)
      expect(forced.json).to.deep.include({action: 'replaced', file})
      expect(forced.json.metadata.SchemaVersion).to.equal('0.1.0')
    })

    it('uninstall refuses a foreign docker-swarmnet and leaves it; removes its own, and docker no longer lists it', async () => {
      const file = path.join(own, 'cli-plugins', 'docker-swarmnet')
      mkdirSync(path.dirname(file), {recursive: true})
      writeFileSync(file, '#!/bin/sh\necho not swarmnet\n', {mode: 0o755})
      const refused = await inOwn(['uninstall'])
      expect(refused.code).to.equal(1)
      expect(refused.json.error.message).to.equal(`${file} was not written by swarmnet (no swarmnet marker); left in place`)
      expect(existsSync(file)).to.equal(true)

      const mine = path.join(tmp.dir, `mine-${Math.random().toString(16).slice(2)}`)
      const installed = await swarmnet(['docker-plugin', 'install', '--config-dir', mine, '--json'], {env: {HOME: tmp.dir}})
      expect(installed.code, installed.stderr).to.equal(0)
      writeFileSync(path.join(mine, 'cli-plugins', 'docker-other'), 'not ours') // beside it: must stay
      for (const {bin} of clis) expect((await runDocker(bin, ['--config', mine, '--help'], {HOME: tmp.dir})).stdout).to.match(/^\s+swarmnet\*/m)
      const removed = await swarmnet(['docker-plugin', 'uninstall', '--config-dir', mine, '--json'], {env: {HOME: tmp.dir}})
      expect(removed.code, removed.stderr).to.equal(0)
      expect(removed.json).to.deep.equal({removed: true, file: path.join(mine, 'cli-plugins', 'docker-swarmnet')})
      expect(existsSync(path.join(mine, 'cli-plugins', 'docker-other'))).to.equal(true)
      for (const {bin} of clis) {
        const help = await runDocker(bin, ['--config', mine, '--help'], {HOME: tmp.dir})
        expect(help.code, help.stderr).to.equal(0)
        expect(help.stdout).not.to.match(/^\s+swarmnet\*/m)
      }

      const again = await swarmnet(['docker-plugin', 'uninstall', '--config-dir', mine, '--json'], {env: {HOME: tmp.dir}})
      expect(again.code, again.stderr).to.equal(0)
      expect(again.json.removed).to.equal(false)
    })
  })
})
