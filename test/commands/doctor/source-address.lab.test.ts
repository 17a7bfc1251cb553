import {expect} from 'chai'

import {LAB_NODES, labVars} from '../../helpers/lab.js'
import {checkOf, doctorRows, inNode} from '../../helpers/doctor-lab.js'

// A node with a second address that its routes prefer (moby/moby#47389, #53004): VXLAN's outer
// source follows the route, not the advertise address. Injected on node-3's namespace, then removed.

const EXTRA = '10.213.0.113'
const SUBNET = '10.213.0.0/24'

/** node-3's route and address as the lab made them; also cleans up a killed run's leftovers. */
function restore(): void {
  inNode('node-3', ['ip', 'route', 'replace', SUBNET, 'dev', 'eth0', 'proto', 'kernel', 'scope', 'link', 'src', '10.213.0.13'], true)
  inNode('node-3', ['ip', 'addr', 'del', `${EXTRA}/24`, 'dev', 'eth0'], true)
}

describe('swarmnet doctor: the VXLAN source address', function () {
  this.timeout(240_000)
  let env: Record<string, string | undefined>

  before(async () => {
    restore()
    env = await labVars()
  })
  after(restore)

  it('fails on exactly node-3 while its peers\' route leaves from a second address, with the fix; passes once it is gone', async () => {
    const healthy = await doctorRows(env, ['--check', 'addresses'])
    for (const node of LAB_NODES) expect(checkOf(healthy, node, 'addresses').status, node).to.equal('pass')

    inNode('node-3', ['ip', 'addr', 'add', `${EXTRA}/24`, 'dev', 'eth0'])
    inNode('node-3', ['ip', 'route', 'replace', SUBNET, 'dev', 'eth0', 'src', EXTRA])
    const wrong = await doctorRows(env, ['--check', 'addresses'])
    expect(LAB_NODES.map((n) => checkOf(wrong, n, 'addresses').status)).to.deep.equal(['pass', 'pass', 'fail'])
    const found = checkOf(wrong, 'node-3', 'addresses')
    expect(found.detail).to.equal(`packets to node-1 (10.213.0.11), node-2 (10.213.0.12) leave from ${EXTRA}, not its advertise address 10.213.0.13: VXLAN's outer source follows the route`)
    expect(found.hint).to.equal(`make the advertise address the source of the route to the peers (ip route replace PEER-NET dev eth0 src 10.213.0.13), or rejoin with --advertise-addr ${EXTRA} --data-path-addr ${EXTRA} if that is the address to use (moby/moby#47389, #53004)`)

    restore()
    const clear = await doctorRows(env, ['--check', 'addresses'])
    for (const node of LAB_NODES) expect(checkOf(clear, node, 'addresses').status, node).to.equal('pass')
  })
})
