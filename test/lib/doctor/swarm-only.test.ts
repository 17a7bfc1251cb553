import {expect} from 'chai'

import {doctor} from '../../../src/lib/doctor/doctor.js'
import {renderDoctor} from '../../../src/lib/doctor/render.js'
import {fakeCluster} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, overlayOf, serviceOf, taskOf} from '../../helpers/fake-engine.js'

// `doctor --check capacity --check task-errors`: the manager's lists are all these need.
describe('doctor: only swarm-wide checks', () => {
  const engine = fakeEngine({
    listNodes: async () => [node('id-1', 'node-1', '192.0.2.1', 'manager'), node('id-2', 'node-2', '192.0.2.2')],
    listServices: async () => [serviceOf('s1', 'web', {replicas: 8, networks: [{id: 'tiny', vip: '10.99.0.2'}]})],
    listNetworks: async () => [overlayOf('tiny', 'tiny', '10.99.0.0/29'), overlayOf('big', 'big', '10.98.0.0/24')],
    listTasks: async () => [
      ...[1, 2, 3, 4].map((slot) => taskOf(`p${slot}`, 's1', 'id-1', {slot, state: 'preparing', addresses: [{networkId: 'tiny', address: `10.99.0.${slot + 2}`}]})),
      taskOf('n5', 's1', '', {slot: 5, state: 'new'}),
    ],
  })

  it('reaches no node (no SSH), fails the full network, and says so without a node grid', async () => {
    const result = await doctor(fakeCluster(engine), {nodes: [], checks: ['capacity', 'task-errors']})
    expect(result.nodes).to.deep.equal([])
    expect(result.sshConnections).to.equal(0)
    expect(result.ok).to.equal(false)
    expect(result.swarm.map((f) => [f.name, f.subject, f.status])).to.deep.equal([
      ['capacity', 'network tiny', 'fail'],
      ['capacity', 'network big', 'pass'],
      // Long unstarted (the fakes' tasks date from January): said per service and node as well.
      ['task-errors', 'service web (node-1)', 'warn'],
      ['task-errors', 'service web', 'warn'],
    ])
    const text = renderDoctor(result)
    expect(text).to.match(/^SWARM CHECK +SUBJECT +STATUS +DETAIL/)
    expect(text).to.include('✗ network tiny capacity: full: 5/5 addresses used (100%: 1 VIP, 4 task, 1 load-balancer endpoint); 5 task(s) stuck: web.5 (new), web.1 (preparing, node-1)')
  })

  it('--network narrows the capacity check to that overlay', async () => {
    const result = await doctor(fakeCluster(engine), {nodes: [], checks: ['capacity'], networks: ['big']})
    expect(result.swarm.map((f) => f.subject)).to.deep.equal(['network big'])
    expect(result.ok).to.equal(true)
  })
})
