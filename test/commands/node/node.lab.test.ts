import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {LAB_NODES, docker, labVars, nodeIp, nodeSocket} from '../../helpers/lab.js'

const LAB = '/var/lib/swarmnet-lab'
const SSH_CONFIG = `${LAB}/ssh/config`

/** The ids docker itself reports, to check swarmnet's answers against. */
async function dockerNodeIds(): Promise<string[]> {
  const out = await docker(['-H', nodeSocket('node-1'), 'node', 'ls', '--format', '{{.ID}}'])
  return out.stdout.trim().split('\n').sort()
}

describe('swarmnet node ls, through every connection route', () => {
  let home: ReturnType<typeof tempDir>
  before(() => (home = tempDir()))
  after(() => home.remove())

  const routes: [string, () => Promise<[string[], Record<string, string | undefined>]>][] = [
    ['the unix socket (-H)', async () => [['-H', nodeSocket('node-1')], {}]],
    ['DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH (eval $(lab env))', async () => [[], await labVars()]],
    ['--machine, from the docker-machine store', async () => [['--machine', 'node-1'], {MACHINE_STORAGE_PATH: `${LAB}/machine`}]],
    ['--context, from the contexts store', async () => [['--context', 'node-1'], {DOCKER_CONFIG: `${LAB}/docker`}]],
    ['DOCKER_CONTEXT', async () => [[], {DOCKER_CONFIG: `${LAB}/docker`, DOCKER_CONTEXT: 'node-1'}]],
    ['currentContext in config.json', async () => {
      const config = path.join(home.dir, 'docker-config')
      execFileSync('cp', ['-r', `${LAB}/docker`, config])
      writeFileSync(path.join(config, 'config.json'), JSON.stringify({currentContext: 'node-1'}))
      return [[], {DOCKER_CONFIG: config}]
    }],
    ['ssh:// with an ~/.ssh/config alias (-H ssh://node-1)', async () => [['-H', 'ssh://node-1'], {SWARMNET_SSH_CONFIG: SSH_CONFIG}]],
    ['ssh://root@address, leading global flags like docker', async () => [['--ssh-config', SSH_CONFIG, '-H', 'ssh://root@10.213.0.11'], {}]],
  ]

  for (const [name, setup] of routes) {
    it(`reaches the manager through ${name}`, async () => {
      const [flags, env] = await setup()
      const args = flags[0]?.startsWith('--ssh-config') ? [...flags, 'node', 'ls', '--json'] : ['node', 'ls', '--json', ...flags]
      const result = await swarmnet(args, {env: {HOME: home.dir, ...env}})
      expect(result.code, result.stderr).to.equal(0)
      const nodes = result.json as {id: string; hostname: string; role: string; leader: boolean; status: string; address: string; engineVersion: string}[]
      expect(nodes.map((n) => n.hostname)).to.deep.equal(LAB_NODES)
      expect(nodes.map((n) => n.id).sort()).to.deep.equal(await dockerNodeIds())
      expect(nodes.map((n) => [n.role, n.leader, n.status, n.address])).to.deep.equal([
        ['manager', true, 'ready', '10.213.0.11'],
        ['worker', false, 'ready', '10.213.0.12'],
        ['worker', false, 'ready', '10.213.0.13'],
      ])
      expect(nodes[0].engineVersion).to.match(/^20\.10/)
    })
  }

  it('prints a table without escape codes when piped', async () => {
    const result = await swarmnet(['node', 'ls', '-H', nodeSocket('node-1')], {env: {NO_COLOR: undefined, FORCE_COLOR: undefined}})
    expect(result.stdout.split('\n')[0]).to.match(/^HOSTNAME\s+ID\s+ROLE\s+LEADER\s+STATUS\s+AVAILABILITY\s+ADDRESS\s+ENGINE$/)
    expect(result.stdout).to.match(/node-2\s+\w{12}\s+worker\s+ready\s+active\s+10\.213\.0\.12/)
    expect(result.stdout).to.not.include('\u001B[')
  })

  it('uses one SSH connection for a whole command, however many API calls it makes', async () => {
    const log = `${LAB}/nodes/node-1/ssh/sshd.log`
    const before = readFileSync(log, 'utf8').split('Accepted publickey').length
    // network inspect makes five API calls (networks, inspect, services, tasks, nodes).
    const result = await swarmnet(['network', 'inspect', 'ingress', '--json', '-H', 'ssh://node-1'], {env: {SWARMNET_SSH_CONFIG: SSH_CONFIG}})
    expect(result.code, result.stderr).to.equal(0)
    expect(readFileSync(log, 'utf8').split('Accepted publickey').length - before).to.equal(1)
  })
})

describe('swarmnet node ip', () => {
  it('prints the address of a node given by hostname, id prefix or address', async () => {
    const env = await labVars()
    expect((await swarmnet(['node', 'ip', 'node-2'], {env})).stdout).to.equal('10.213.0.12\n')
    const id = (await docker(['node', 'inspect', 'node-3', '--format', '{{.ID}}'], env)).stdout.trim()
    const byId = await swarmnet(['node', 'ip', id.slice(0, 6), '--json'], {env})
    expect(byId.json).to.deep.equal({hostname: 'node-3', id, address: '10.213.0.13'})
  })

  it('asks for NODE only on a terminal; otherwise names the missing argument', async () => {
    const result = await swarmnet(['node', 'ip'], {env: await labVars()})
    expect(result.code).to.equal(2)
    expect(result.stderr).to.equal('Error: missing argument NODE; pass it on the command line (no terminal to ask on)\n')
  })
})

describe('swarmnet node env: per-node engines, in the documented order', () => {
  let home: ReturnType<typeof tempDir>
  before(() => (home = tempDir()))
  after(() => home.remove())

  /** Evaluates the printed lines in bash and asks the plain docker CLI which engine it reached. */
  function dockerAfterEval(lines: string, env: Record<string, string | undefined> = {}): string {
    const merged: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: home.dir, ...env}
    return execFileSync('bash', ['-c', `${lines}\ndocker info --format '{{.Name}}'`], {env: merged}).toString().trim()
  }

  it('finds the machine of that name in the docker-machine store, as docker-machine env does', async () => {
    const env = await labVars()
    const result = await swarmnet(['node', 'env', 'node-2'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.include('export DOCKER_HOST=tcp://10.213.0.12:2376\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=/var/lib/swarmnet-lab/machine/machines/node-2\nexport DOCKER_MACHINE_NAME=node-2\nunset DOCKER_CONTEXT')
    expect(result.stdout).to.include('# eval "$(swarmnet node env node-2)"')
    expect(dockerAfterEval(result.stdout)).to.equal('node-2')
  })

  it('reuses the manager connection for the manager itself', async () => {
    const env = await labVars()
    const result = await swarmnet(['node', 'env', 'node-1', '--json'], {env})
    expect(result.json).to.deep.include({node: 'node-1', via: 'manager'})
    expect(result.json.variables.DOCKER_HOST).to.equal('tcp://10.213.0.11:2376')
  })

  it('falls back to a Docker context of that name', async () => {
    const env = {HOME: home.dir, DOCKER_CONFIG: `${LAB}/docker`, DOCKER_CONTEXT: 'node-1'}
    const result = await swarmnet(['node', 'env', 'node-3', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.via).to.equal('context')
    expect(result.json.variables).to.deep.include({DOCKER_CONTEXT: 'node-3', DOCKER_HOST: null})
    const lines = (await swarmnet(['node', 'env', 'node-3'], {env})).stdout
    expect(dockerAfterEval(lines, {DOCKER_CONFIG: `${LAB}/docker`})).to.equal('node-3')
  })

  it('falls back to SSH to the node address, honouring the SSH config', async () => {
    const env = {HOME: home.dir, SWARMNET_SSH_CONFIG: SSH_CONFIG}
    const result = await swarmnet(['node', 'env', 'node-2', '--json', '-H', nodeSocket('node-1')], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.via).to.equal('ssh')
    expect(result.json.variables.DOCKER_HOST).to.equal('ssh://root@10.213.0.12:22')
  })

  it('falls back to TCP/TLS at the node address with the manager TLS material', async () => {
    const env = {HOME: home.dir, DOCKER_HOST: 'tcp://10.213.0.11:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: `${LAB}/machine/certs`}
    const result = await swarmnet(['node', 'env', 'node-3', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.via).to.equal('tcp')
    expect(result.json.variables).to.deep.include({DOCKER_HOST: 'tcp://10.213.0.13:2376', DOCKER_CERT_PATH: `${LAB}/machine/certs`})
  })

  it('prefers a mapping in the swarmnet config file', async () => {
    const config = path.join(home.dir, 'swarmnet.json')
    writeFileSync(config, JSON.stringify({nodes: {'node-2': {host: nodeSocket('node-2')}}}))
    const result = await swarmnet(['node', 'env', 'node-2', '--json'], {env: {...(await labVars()), SWARMNET_CONFIG: config}})
    expect(result.json).to.deep.include({via: 'config'})
    expect(result.json.variables.DOCKER_HOST).to.equal(nodeSocket('node-2'))
  })

  it('lists every rule it tried when no route reaches the node', async () => {
    const env = {HOME: home.dir}
    const result = await swarmnet(['node', 'env', 'node-2', '-H', nodeSocket('node-1'), '--timeout', '3s'], {env})
    expect(result.code).to.equal(1)
    const line = result.stderr.trim()
    expect(line.split('\n')).to.have.length(1)
    expect(line).to.match(/^Error: cannot reach the engine of node node-2 \(10\.213\.0\.12\); tried config: no mapping in the swarmnet config file; machine: no docker-machine machine "node-2"; context: no Docker context "node-2"; ssh: .*10\.213\.0\.12.*; tcp: the manager connection has no verified TLS material to reuse$/)
  })

  it('prints fish syntax with --shell fish', async () => {
    const result = await swarmnet(['node', 'env', 'node-2', '--shell', 'fish'], {env: await labVars()})
    expect(result.stdout).to.include('set -gx DOCKER_HOST tcp://10.213.0.12:2376;')
  })
})

describe('SSH and TLS are verified', () => {
  let tmp: ReturnType<typeof tempDir>
  before(() => (tmp = tempDir()))
  after(() => tmp.remove())

  /** A copy of the lab's SSH config whose known_hosts is `knownHosts`. */
  function sshConfigWith(knownHosts: string): string {
    const file = path.join(tmp.dir, `ssh_config_${path.basename(knownHosts)}`)
    writeFileSync(file, readFileSync(SSH_CONFIG, 'utf8').replaceAll(`${LAB}/ssh/known_hosts`, knownHosts))
    return file
  }

  it('refuses a CHANGED host key and says how to fix it', async () => {
    const knownHosts = path.join(tmp.dir, 'known_hosts_changed')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp.dir, 'other')])
    const otherKey = readFileSync(path.join(tmp.dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
    writeFileSync(knownHosts, `node-1,10.213.0.11 ${otherKey}\n`)
    const result = await swarmnet(['node', 'ls', '-H', 'ssh://node-1', '--accept-new-host-key'], {env: {SWARMNET_SSH_CONFIG: sshConfigWith(knownHosts)}})
    expect(result.code).to.equal(1)
    expect(result.stderr.trim().split('\n')).to.have.length(1)
    expect(result.stderr).to.match(/changed/i)
    expect(result.stderr).to.include(`${knownHosts}:1`)
    expect(result.stderr).to.include('ssh-keygen -R')
  })

  it('refuses an unknown host key with the fingerprint and how to trust it; --accept-new-host-key records it', async () => {
    const knownHosts = path.join(tmp.dir, 'known_hosts_empty')
    writeFileSync(knownHosts, '')
    const config = sshConfigWith(knownHosts)
    const refused = await swarmnet(['node', 'ls', '-H', 'ssh://node-1'], {env: {SWARMNET_SSH_CONFIG: config}})
    expect(refused.code).to.equal(1)
    expect(refused.stderr).to.match(/SHA256:[\w+/]{43}/)
    expect(refused.stderr).to.include('--accept-new-host-key')
    expect(readFileSync(knownHosts, 'utf8')).to.equal('')
    const accepted = await swarmnet(['node', 'ls', '-H', 'ssh://node-1', '--accept-new-host-key', '--json'], {env: {SWARMNET_SSH_CONFIG: config}})
    expect(accepted.code, accepted.stderr).to.equal(0)
    expect(readFileSync(knownHosts, 'utf8')).to.match(/^\|1\|\S+ ssh-ed25519 /)
  })

  it('refuses an engine whose certificate is not signed by the trusted CA', async () => {
    const wrong = path.join(tmp.dir, 'wrong-ca')
    execFileSync('mkdir', ['-p', wrong])
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(wrong, 'ca-key.pem'), '-out', path.join(wrong, 'ca.pem'), '-subj', '/CN=not the lab', '-days', '1'], {stdio: 'ignore'})
    for (const file of ['cert.pem', 'key.pem']) copyFileSync(`${LAB}/machine/certs/${file}`, path.join(wrong, file))
    const result = await swarmnet(['node', 'ls'], {env: {DOCKER_HOST: 'tcp://10.213.0.11:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrong}})
    expect(result.code).to.equal(1)
    expect(result.stderr).to.equal('Error: tcp://10.213.0.11:2376: list nodes: TLS certificate is not signed by the trusted CA\n')
  })

  it('pointed at a worker (DOCKER_HOST at node-2), finds a manager with the same credentials, says so on stderr, and goes on', async () => {
    const result = await swarmnet(['node', 'ls', '--json'], {env: await labVars('node-2')})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.map((n: {hostname: string}) => n.hostname)).to.deep.equal(LAB_NODES)
    expect(result.stderr).to.equal('tcp://10.213.0.12:2376 is a swarm worker; using the manager at tcp://10.213.0.11:2376 (the same TLS credentials)\n')
  })

  it('pointed at a worker over SSH, or at its local socket, finds the manager the same way', async () => {
    const ssh = await swarmnet(['node', 'ls', '--json', '-H', 'ssh://10.213.0.13'], {env: {SWARMNET_SSH_CONFIG: SSH_CONFIG}})
    expect(ssh.code, ssh.stderr).to.equal(0)
    expect(ssh.stderr).to.equal('ssh://root@10.213.0.13:22 is a swarm worker; using the manager at ssh://root@10.213.0.11:22 (the same SSH user and port)\n')
    const socket = await swarmnet(['node', 'ls', '--json', '-H', nodeSocket('node-3')], {env: {MACHINE_STORAGE_PATH: `${LAB}/machine`}})
    expect(socket.code, socket.stderr).to.equal(0)
    expect(socket.stderr).to.equal('unix:///run/swarmnet-lab/node-3/docker.sock is a swarm worker; using the manager at tcp://10.213.0.11:2376 (docker-machine machine node-1)\n')
  })

  it('a worker whose managers cannot be reached is an error listing what was tried', async () => {
    const result = await swarmnet(['node', 'ls', '-H', nodeSocket('node-2'), '--timeout', '3s'], {env: {HOME: tmp.dir}})
    expect(result.code).to.equal(1)
    expect(result.stderr).to.match(/^Error: unix:\/\/\/run\/swarmnet-lab\/node-2\/docker\.sock is a swarm worker, and none of its managers could be reached; tried 10\.213\.0\.11 via SSH: ssh:\/\/root@10\.213\.0\.11:22: unknown host key for 10\.213\.0\.11 .*\n$/)
  })

  it('an unreachable engine is reported by name, by the timeout', async () => {
    // The message names the 1.5 s timeout when it fired; how long the run took is no test's claim.
    const result = await swarmnet(['node', 'ls', '-H', 'tcp://10.213.0.99:2375', '--timeout', '1500ms'])
    expect(result.code).to.equal(1)
    expect(result.stderr).to.match(/^Error: tcp:\/\/10\.213\.0\.99:2375: list nodes: (timed out after 1\.5s|host unreachable)\n$/)
    for (const node of LAB_NODES) expect(nodeIp(node)).to.not.equal('10.213.0.99')
  })
})
