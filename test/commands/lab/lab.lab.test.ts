import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, docker, labVars, nodeIp, nodeSocket, onNode} from '../../helpers/lab.js'

/** PIDs whose command line names the lab's directories: daemons, containerd, shims, sshd. */
function labProcesses(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return /\/(run|var\/lib)\/swarmnet-lab/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
      } catch {
        return false
      }
    })
    .map(Number)
}

describe('swarmnet lab (against the running lab)', () => {
  it('lab status: every node healthy, and says plainly that this kernel has no IPVS', async () => {
    const result = await swarmnet(['lab', 'status', '--json'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.running).to.equal(true)
    expect(result.json.nodes.map((n: {name: string}) => n.name)).to.deep.equal(LAB_NODES)
    for (const n of result.json.nodes) expect(n, n.name).to.deep.include({daemon: true, swarm: 'active', ssh_ok: true, images: true})
    expect(result.json.nodes.find((n: {leader: boolean}) => n.leader).name).to.equal('node-1')
    expect(result.json.ipvs).to.equal(false)
    expect(result.json.note).to.match(/no IPVS: service VIPs and the ingress routing mesh cannot work here/)
    const human = await swarmnet(['lab', 'status'])
    expect(human.stdout).to.match(/node-1\s+manager \(leader\)\s+10\.213\.0\.11/)
    expect(human.stdout).to.include('no IPVS')
  })

  it('each node is its own engine: hostname, data-root, socket, TLS listener, images', async () => {
    for (const node of LAB_NODES) {
      const [name, root, swarmAddr] = (await onNode(node, ['info', '--format', '{{.Name}}|{{.DockerRootDir}}|{{.Swarm.NodeAddr}}'])).trim().split('|')
      expect(name).to.equal(node)
      expect(root).to.equal(`/var/lib/swarmnet-lab/nodes/${node}/docker`)
      expect(swarmAddr).to.equal(nodeIp(node))
      const images = await onNode(node, ['images', '--format', '{{.Repository}}:{{.Tag}}'])
      expect(images).to.include('swarmnet-lab/go-demo:latest').and.include('swarmnet-lab/proxy:latest')
    }
  })

  it('lab env: after eval, plain docker talks TLS to the manager, or to the named node', async () => {
    const script = `eval "$(${process.execPath} bin/run.js lab env)"; docker info --format '{{.Name}} {{.Swarm.ControlAvailable}}'; echo "$DOCKER_HOST"`
    const out = execFileSync('bash', ['-c', script], {env: {PATH: process.env.PATH, HOME: process.env.HOME}}).toString()
    expect(out).to.equal('node-1 true\ntcp://10.213.0.11:2376\n')
    const vars = await labVars('node-2')
    const worker = await docker(['info', '--format', '{{.Name}} {{.Swarm.ControlAvailable}}'], vars)
    expect(worker.stdout.trim()).to.equal('node-2 false')
    expect(vars).to.include({DOCKER_TLS_VERIFY: '1', MACHINE_STORAGE_PATH: '/var/lib/swarmnet-lab/machine', DOCKER_CONFIG: '/var/lib/swarmnet-lab/docker'})
  })

  it('lab env --shell fish prints fish syntax', async () => {
    const result = await swarmnet(['lab', 'env', '--shell', 'fish'])
    expect(result.stdout).to.include('set -gx DOCKER_HOST tcp://10.213.0.11:2376;')
    expect(result.stdout).to.include('set -e DOCKER_CONTEXT;')
  })

  it('the lab describes itself like docker-machine VMs: a context and a machine per node', async () => {
    const vars = await labVars()
    const contexts = await docker(['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}'], {DOCKER_CONFIG: vars.DOCKER_CONFIG})
    for (const node of LAB_NODES) expect(contexts.stdout).to.include(`${node} tcp://${nodeIp(node)}:2376`)
    const viaContext = await docker(['--context', 'node-3', 'info', '--format', '{{.Name}}'], {DOCKER_CONFIG: vars.DOCKER_CONFIG})
    expect(viaContext.stdout.trim(), viaContext.stderr).to.equal('node-3')
    const ssh = execFileSync('ssh', ['-F', '/var/lib/swarmnet-lab/ssh/config', 'node-2', 'hostname; ip -4 -o addr show eth0']).toString()
    expect(ssh).to.match(/^node-2\n.*10\.213\.0\.12\/24/)
  })

  it('lab up again reports the running lab and changes nothing', async () => {
    const before = await onNode('node-1', ['node', 'ls', '--format', '{{.ID}}'])
    const result = await swarmnet(['lab', 'up', '--json'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.started).to.equal(false)
    expect(await onNode('node-1', ['node', 'ls', '--format', '{{.ID}}'])).to.equal(before)
  })

  it('lab up with another shape is refused while a lab runs', async () => {
    const result = await swarmnet(['lab', 'up', '--nodes', '4'])
    expect(result.code).to.equal(1)
    expect(result.stderr.trim()).to.match(/^Error: a lab of 3 nodes \(1 manager, 10\.213\.0\.0\/24, data-path port 4789\) is running; run `swarmnet lab down` first/)
  })

  it('lab up over the remains of a killed run cleans up and starts fresh', async function () {
    this.timeout(180_000)
    const old = labProcesses()
    expect(old.length).to.be.greaterThan(6)
    execFileSync('kill', ['-9', ...old.map(String)])
    const status = await swarmnet(['lab', 'status', '--json'])
    expect(status.code).to.equal(1)
    expect(status.json.running).to.equal(false)
    const result = await swarmnet(['lab', 'up', '--json'], {timeoutMs: 170_000})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.started).to.equal(true)
    expect(result.stderr).to.include('cleaning up the remains of a lab that is not running')
    expect(labProcesses().filter((pid) => old.includes(pid))).to.deep.equal([])
    expect((await onNode('node-1', ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).trim().split('\n')).to.deep.equal(LAB_NODES.map((n) => `${n} Ready`))
  })

  it('lab up without --nodes reports a running lab of any shape', async () => {
    const result = await swarmnet(['lab', 'up', '--managers', '1', '--json'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json.started).to.equal(false)
  })

  it('refuses to run without root, saying so, and changes nothing', async () => {
    // A fresh user namespace makes the CLI an ordinary user (uid 65534) that can still read this checkout.
    const run = (args: string[]) => {
      try {
        execFileSync('unshare', ['--user', process.execPath, 'bin/run.js', ...args], {env: {PATH: process.env.PATH, HOME: '/tmp', CI: '1'}, stdio: 'pipe'})
        return {code: 0, stderr: ''}
      } catch (error) {
        const e = error as {status: number; stderr: Buffer}
        return {code: e.status, stderr: e.stderr.toString()}
      }
    }

    for (const command of [['lab', 'up'], ['lab', 'down', '--yes']]) {
      const result = run(command)
      expect(result.code, command.join(' ')).to.equal(1)
      expect(result.stderr).to.equal('Error: the lab needs root (it creates network namespaces, a bridge and daemons); run it with sudo\n')
    }

    expect((await swarmnet(['lab', 'status', '--json'])).json.running).to.equal(true)
  })

  it('lab env for an unknown node is a usage error', async () => {
    const result = await swarmnet(['lab', 'env', 'node-7'])
    expect(result.code).to.equal(2)
    expect(result.stderr.trim()).to.equal('Error: unknown lab node "node-7"; the lab\'s nodes are node-1, node-2, node-3')
  })

  it('the engine socket of every node answers', async () => {
    for (const node of LAB_NODES) expect((await docker(['-H', nodeSocket(node), 'version', '--format', '{{.Server.Version}}'])).code).to.equal(0)
  })
})
