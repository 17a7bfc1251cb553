import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {paths} from '../../../src/lib/lab/layout.js'

import {LAB_NODES, labVars, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {checkOf, doctorRows, globalOnOverlay, inNode} from '../../helpers/doctor-lab.js'

// An underlay that carries less than the overlay's MTU plus VXLAN's 50 bytes (moby/moby#41775, #24906):
// node-3's eth0 lowered to 1300, so 1450-byte overlay packets to and from it are lost. doctor measures
// the largest packet that crosses with pings over the overlay, and names node-3.

const SERVICE = 'mtudemo'
const NETWORK = 'mtunet'
const restore = () => inNode('node-3', ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1500'], true)

/**
 * Forgets the path MTUs the containers' kernels learnt while node-3's was low (VXLAN answers a too-big
 * packet with ICMP; the kernel then fragments to it for up to 10 minutes): part of removing the fault.
 */
async function forgetLearntMtus(): Promise<void> {
  for (const node of LAB_NODES) {
    for (const container of (await onNode(node, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${SERVICE}`])).trim().split('\n').filter(Boolean)) {
      const key = (await onNode(node, ['inspect', container, '-f', '{{.NetworkSettings.SandboxKey}}'])).trim()
      execFileSync('ssh', ['-F', paths.sshConfig, node, `nsenter --net=${key} ip route flush cache`])
    }
  }
}

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
    await forgetLearntMtus().catch(() => {})
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
    expect(LAB_NODES.map((n) => checkOf(low, n, 'mtu').status), JSON.stringify(low.map((r) => checkOf(low, r.node, 'mtu')))).to.deep.equal(['pass', 'pass', 'fail'])
    const found = checkOf(low, 'node-3', 'mtu')
    expect(found.detail).to.match(new RegExp(`the path over ${NETWORK} carries at most 1250 bytes, less than its MTU 1450 \\(`))
    expect(found.hint).to.include('--opt com.docker.network.driver.mtu=1250')

    restore()
    await forgetLearntMtus()
    const clear = await doctorRows(env, ['--check', 'mtu'])
    for (const node of LAB_NODES) expect(checkOf(clear, node, 'mtu').status, `${node}: ${checkOf(clear, node, 'mtu').detail}`).to.equal('pass')
  })
})
