import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'

import {swarmnet} from '../../helpers/cli.js'
import {docker, eventually, nodeSocket, removeServicesAndNetworks} from '../../helpers/lab.js'

/** What a lab could leave behind, checked independently of swarmnet's own bookkeeping. */
function traces(): string[] {
  const found: string[] = []
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args).toString()
  if (/swarmnet0|swn-node/.test(run('ip', ['-o', 'link', 'show']))) found.push('links')
  if (/swarmnet-node/.test(run('ip', ['netns', 'list']))) found.push('netns')
  if (/swarmnet-lab/.test(run('iptables', ['-S']))) found.push('iptables')
  const labPath = /\/(var\/lib|run)\/swarmnet-lab/
  if (labPath.test(run('cat', ['/proc/self/mountinfo']))) found.push('mounts')
  if (labPath.test(run('ps', ['-eo', 'args']))) found.push('processes')
  if (/swarmnet-node/.test(run('find', ['/sys/fs/cgroup', '-maxdepth', '2', '-name', 'swarmnet-node-*']))) found.push('cgroups')
  if (/swarmnet-lab/.test(run('ls', ['/var/lib', '/run']))) found.push('directories')
  return found
}

/** Files under the host paths dockerd writes to whatever its data-root says; the lab must not add any. */
function hostDockerFiles(): string[] {
  const dirs = ['/etc/docker', '/var/lib/docker', '/run/docker', '/run/containerd'].filter((d) => existsSync(d))
  return dirs.length === 0 ? [] : execFileSync('find', [...dirs, '-not', '-type', 'd']).toString().split('\n').filter(Boolean).sort()
}

describe('swarmnet lab down', () => {
  after(async function () {
    // Leave a running lab for the rest of the suite, whatever happened here.
    this.timeout(200_000)
    const status = await swarmnet(['lab', 'status', '--json'])
    if (status.code !== 0) await swarmnet(['lab', 'up'], {timeoutMs: 190_000})
  })

  it('removes everything the lab made, refuses to touch what it did not, and comes back up', async function () {
    this.timeout(240_000)
    const refused = await swarmnet(['lab', 'down'])
    expect(refused.code).to.equal(2)
    expect(refused.stderr).to.equal('Error: removing the lab needs confirmation; pass --yes (no terminal to ask on)\n')
    expect((await swarmnet(['lab', 'status', '--json'])).json.running).to.equal(true)

    const down = await swarmnet(['lab', 'down', '--yes', '--json'], {timeoutMs: 60_000})
    expect(down.code, down.stderr).to.equal(0)
    expect(down.json.removed).to.equal(true)
    expect(traces()).to.deep.equal([])

    const again = await swarmnet(['lab', 'down'])
    expect(again.code).to.equal(0)
    expect(again.stdout).to.include('No lab to remove.')

    // A bridge of the lab's name that no lab record accounts for is not the lab's to touch.
    execFileSync('ip', ['link', 'add', 'swarmnet0', 'type', 'bridge'])
    try {
      const up = await swarmnet(['lab', 'up'])
      expect(up.code).to.equal(1)
      expect(up.stderr.trim()).to.match(/^Error: bridge swarmnet0 already exists but no lab record \(\/var\/lib\/swarmnet-lab\/state\.json\) says swarmnet made it; remove it yourself$/)
      expect(execFileSync('ip', ['-o', 'link', 'show', 'swarmnet0']).toString()).to.include('swarmnet0')
    } finally {
      execFileSync('ip', ['link', 'del', 'swarmnet0'])
    }

    const before = hostDockerFiles()
    const up = await swarmnet(['lab', 'up', '--json'], {timeoutMs: 200_000})
    expect(up.code, up.stderr).to.equal(0)
    expect(up.json.running).to.equal(true)

    // Trust keys, plugin and shim sockets, load-balancer sandboxes: all stay inside each node.
    await docker(['-H', nodeSocket('node-1'), 'network', 'create', '-d', 'overlay', 'hostcheck'])
    const created = await docker(['-H', nodeSocket('node-1'), 'service', 'create', '-d', '--name', 'hostcheck', '--mode', 'global', '--network', 'hostcheck', 'swarmnet-lab/go-demo'])
    try {
      expect(created.code, created.stderr).to.equal(0)
      await eventually('hostcheck running on every node', async () => {
        const ps = await docker(['-H', nodeSocket('node-1'), 'service', 'ps', 'hostcheck', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'])
        return ps.stdout.split('\n').filter((line) => line.startsWith('Running')).length === 3
      })
      expect(hostDockerFiles()).to.deep.equal(before)
    } finally {
      await removeServicesAndNetworks(['hostcheck'], ['hostcheck'])
    }
  })
})
