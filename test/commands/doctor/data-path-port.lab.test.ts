import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, labVars, removeServicesAndNetworks} from '../../helpers/lab.js'
import {checkOf, doctorRows, globalOnOverlay, inNode} from '../../helpers/doctor-lab.js'

// A swarm whose VXLAN runs on another port (swarm init --data-path-port, moby/moby#41775: NSX takes
// 4789): doctor reads the port from the swarm and names it. The lab is shared: this file brings it
// up on 4790 and restores the default lab afterwards.

const PORT = 4790
const SERVICE = 'dppdemo'
const NETWORK = 'dppnet'
const RULE = ['INPUT', '-p', 'udp', '--dport', String(PORT), '-j', 'DROP']

async function lab(args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await swarmnet(['lab', ...args, '--json'], {timeoutMs: 280_000})
  if (result.code !== 0) throw new Error(`lab ${args.join(' ')} failed (exit ${result.code}): ${result.stderr || result.stdout}`)
  return result.json
}

describe('swarmnet doctor: a non-default data-path port', function () {
  this.timeout(600_000)
  let env: Record<string, string | undefined>
  const unblock = () => inNode('node-2', ['iptables', '-D', ...RULE], true)

  before(async function () {
    this.timeout(600_000)
    await lab(['down', '--yes'])
    const up = await lab(['up', '--data-path-port', String(PORT)])
    expect(up.dataPathPort).to.equal(PORT)
    env = await labVars()
    await globalOnOverlay(SERVICE, NETWORK)
  })

  afterEach(unblock)
  after(async function () {
    this.timeout(600_000)
    unblock()
    await removeServicesAndNetworks([SERVICE], [NETWORK]).catch(() => {})
    // The default lab back, for the files after this one.
    await lab(['down', '--yes'])
    const up = await lab(['up'])
    expect(up.dataPathPort).to.equal(4789)
  })

  it('lab up refuses a port outside Docker\'s range before anything starts', async () => {
    const result = await swarmnet(['lab', 'up', '--data-path-port', '80'])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.match(/--data-path-port.*"80".*1024 to 49151/)
  })

  it('lab status shows the port the lab was made with', async () => {
    expect((await lab(['status'])).dataPathPort).to.equal(PORT)
    expect((await swarmnet(['lab', 'status'])).stdout).to.include(`Data-path (VXLAN) port: ${PORT}/udp.`)
  })

  it(`doctor checks ${PORT}/udp, not 4789, and names it on exactly the node that drops it`, async () => {
    const healthy = await doctorRows(env, ['--check', 'vxlan'])
    for (const node of LAB_NODES) {
      const vxlan = checkOf(healthy, node, 'vxlan')
      expect(vxlan.name).to.equal(`vxlan ${PORT}/udp`)
      expect(vxlan.status, `${node}: ${vxlan.detail}`).to.equal('pass')
    }

    inNode('node-2', ['iptables', '-I', ...RULE])
    const blocked = await doctorRows(env, ['--check', 'vxlan'])
    expect(LAB_NODES.map((n) => checkOf(blocked, n, 'vxlan').status)).to.deep.equal(['pass', 'fail', 'pass'])
    const failed = checkOf(blocked, 'node-2', 'vxlan')
    expect(failed.detail).to.match(new RegExp(`^INPUT drops ${PORT}/udp from node-1, node-3 \\(-A INPUT -p udp -m udp --dport ${PORT} -j DROP\\)`))
    expect(failed.hint).to.match(new RegExp(`^allow ${PORT}/udp between the nodes`))
    expect(`${failed.detail} ${failed.hint}`).to.not.include('4789')

    unblock()
    const clear = await doctorRows(env, ['--check', 'vxlan'])
    expect(LAB_NODES.map((n) => checkOf(clear, n, 'vxlan').status)).to.deep.equal(['pass', 'pass', 'pass'])
  })
})
