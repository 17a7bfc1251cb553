import {expect} from 'chai'

import {LAB_NODES, labVars, removeServicesAndNetworks} from '../../helpers/lab.js'
import {checkOf, doctorRows, globalOnOverlay, inNode} from '../../helpers/doctor-lab.js'

// An underlay that carries less than the overlay's MTU plus VXLAN's 50 bytes (moby/moby#41775, #24906):
// node-3's eth0 lowered to 1300, so 1450-byte overlay packets to and from it are lost. doctor measures
// the largest packet that crosses with pings over the overlay, and names node-3.

const SERVICE = 'mtudemo'
const NETWORK = 'mtunet'
const restore = () => inNode('node-3', ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1500'], true)

describe('swarmnet doctor: the overlay path MTU, measured', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(300_000)
    restore()
    env = await labVars()
    await globalOnOverlay(SERVICE, NETWORK)
  })
  after(async () => {
    restore()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
  })

  it('passes with 1450-byte pings crossing; with node-3\'s underlay at 1300, fails on node-3 with the measured size; passes again once restored', async () => {
    const healthy = await doctorRows(env, ['--check', 'mtu'])
    for (const node of LAB_NODES) {
      const mtu = checkOf(healthy, node, 'mtu')
      expect(mtu.status, `${node}: ${mtu.detail}`).to.equal('pass')
      expect(mtu.detail).to.include('pings of 1450 bytes')
    }

    inNode('node-3', ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1300'])
    const low = await doctorRows(env, ['--check', 'mtu'])
    expect(LAB_NODES.map((n) => checkOf(low, n, 'mtu').status)).to.deep.equal(['pass', 'pass', 'fail'])
    const found = checkOf(low, 'node-3', 'mtu')
    expect(found.detail).to.match(new RegExp(`the path over ${NETWORK} carries at most 1250 bytes, less than its MTU 1450 \\(`))
    expect(found.hint).to.include('--opt com.docker.network.driver.mtu=1250')

    restore()
    const clear = await doctorRows(env, ['--check', 'mtu'])
    for (const node of LAB_NODES) expect(checkOf(clear, node, 'mtu').status, node).to.equal('pass')
  })
})
