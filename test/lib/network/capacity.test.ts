import {expect} from 'chai'

import {capacities, networkCapacity, usableAddresses} from '../../../src/lib/network/capacity.js'
import {renderCapacity, renderNetworks} from '../../../src/lib/network/render.js'
import {node, overlayOf, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const nodes = [node('id-1', 'node-1', '10.213.0.11', 'manager'), node('id-2', 'node-2', '10.213.0.12'), node('id-3', 'node-3', '10.213.0.13')]
const at = (networkId: string, address: string) => ({addresses: [{networkId, address}]})

describe('network capacity', () => {
  it('usable addresses: a subnet less network, broadcast and gateway (IPv6: the gateway)', () => {
    expect(usableAddresses('10.99.0.0/29')).to.equal(5)
    expect(usableAddresses('10.0.0.0/24')).to.equal(253)
    expect(usableAddresses('10.0.0.0/16')).to.equal(65_533)
    expect(usableAddresses('10.0.0.0/31')).to.equal(0)
    expect(usableAddresses('fd00::/120')).to.equal(255)
    expect(usableAddresses('nonsense')).to.equal(0)
  })

  it('counts the VIP, each task not shut down, and one load-balancer endpoint per node running a task on it', () => {
    const web = serviceOf('s1', 'web', {networks: [{id: 'n1', vip: '10.0.1.2'}]})
    const tasks = [
      taskOf('t1', 's1', 'id-1', {slot: 1, ...at('n1', '10.0.1.3')}),
      taskOf('t2', 's1', 'id-2', {slot: 2, ...at('n1', '10.0.1.4')}),
      taskOf('t3', 's1', 'id-2', {slot: 3, ...at('n1', '10.0.1.5')}),
      // A shut-down task released its address, even though the task list still shows it.
      taskOf('t0', 's1', 'id-3', {slot: 1, state: 'shutdown', desiredState: 'shutdown', ...at('n1', '10.0.1.9')}),
    ]
    const c = networkCapacity(overlayOf('n1', 'web-net', '10.0.1.0/24'), {nodes, services: [web], tasks})
    expect(c).to.deep.include({size: 253, used: 6, free: 247, percent: 2, vips: 1, tasks: 3, lbEndpoints: 2, waiting: 0})
    expect(c.vipAddresses).to.deep.equal([{service: 'web', address: '10.0.1.2'}])
    expect(c.taskAddresses.map((t) => [t.task, t.node, t.address])).to.deep.equal([['web.1', 'node-1', '10.0.1.3'], ['web.2', 'node-2', '10.0.1.4'], ['web.3', 'node-2', '10.0.1.5']])
    expect(c.lbNodes).to.deep.equal(['node-1', 'node-2'])
  })

  it('dnsrr has no VIP; ingress has an endpoint on every node', () => {
    const dns = serviceOf('s1', 'dns', {endpointMode: 'dnsrr', networks: [{id: 'n1'}]})
    const published = serviceOf('s2', 'pub', {networks: [{id: 'ing', vip: '10.0.0.5'}]})
    const tasks = [taskOf('t1', 's1', 'id-1', {slot: 1, ...at('n1', '10.0.1.3')}), taskOf('t2', 's2', 'id-1', {slot: 1, ...at('ing', '10.0.0.6')})]
    const [net, ingress] = capacities([overlayOf('n1', 'n', '10.0.1.0/24'), overlayOf('ing', 'ingress', '10.0.0.0/24', {ingress: true})], {nodes, services: [dns, published], tasks})
    expect(net).to.deep.include({vips: 0, tasks: 1, lbEndpoints: 1, used: 2})
    expect(ingress).to.deep.include({vips: 1, tasks: 1, lbEndpoints: 3, used: 5, lbNodes: ['node-1', 'node-2', 'node-3']})
  })

  it('a full /29 (as measured on the lab): 5 usable, 1 VIP + 4 tasks, the rest wait with no address', () => {
    const web = serviceOf('s1', 'web', {replicas: 8, networks: [{id: 'tiny', vip: '10.99.0.2'}]})
    const tasks = [
      ...[1, 2, 3, 4].map((slot) => taskOf(`p${slot}`, 's1', `id-${(slot % 3) + 1}`, {slot, state: 'preparing', ...at('tiny', `10.99.0.${slot + 2}`)})),
      ...[5, 6, 7, 8].map((slot) => taskOf(`n${slot}`, 's1', '', {slot, state: 'new', containerId: undefined})),
    ]
    const c = networkCapacity(overlayOf('tiny', 'tiny', '10.99.0.0/29'), {nodes, services: [web], tasks})
    // The nodes' endpoints are needed (counted), but there is no room: used stops at the size.
    expect(c).to.deep.include({size: 5, used: 5, free: 0, percent: 100, vips: 1, tasks: 4, lbEndpoints: 3, waiting: 4})
    expect(c.waitingTasks.map((t) => [t.task, t.state, t.node])).to.deep.equal([['web.5', 'new', ''], ['web.6', 'new', ''], ['web.7', 'new', ''], ['web.8', 'new', '']])
  })

  it('a network without a subnet yet has size 0 and nothing free', () => {
    const c = networkCapacity({...overlayOf('x', 'x', ''), subnets: []}, {nodes, services: [], tasks: []})
    expect(c).to.deep.include({size: 0, used: 0, free: 0, percent: 0})
  })

  it('sums the subnets of a network with several', () => {
    const c = networkCapacity({...overlayOf('x', 'x', ''), subnets: [{subnet: '10.1.0.0/29'}, {subnet: '10.2.0.0/28'}]}, {nodes, services: [], tasks: []})
    expect(c.size).to.equal(5 + 13)
    expect(c.subnets).to.deep.equal([{subnet: '10.1.0.0/29', usable: 5}, {subnet: '10.2.0.0/28', usable: 13}])
  })
})

describe('network capacity: rendering', () => {
  it('network inspect shows the breakdown and the tasks waiting; network ls the USED and FREE columns', () => {
    const web = serviceOf('s1', 'web', {networks: [{id: 'tiny', vip: '10.99.0.2'}]})
    const tasks = [taskOf('t1', 's1', 'id-1', {slot: 1, state: 'preparing', ...at('tiny', '10.99.0.3')}), taskOf('t2', 's1', '', {slot: 2, state: 'new'})]
    const network = overlayOf('tiny', 'tiny', '10.99.0.0/29')
    const c = networkCapacity(network, {nodes, services: [web], tasks})
    const text = renderCapacity(c)
    expect(text).to.match(/^usable +5 +10\.99\.0\.0\/29: 5$/m)
    expect(text).to.match(/^VIPs +1 +web 10\.99\.0\.2$/m)
    expect(text).to.match(/^load-balancer endpoints +1 +node-1$/m)
    expect(text).to.match(/^used +3\/5 +60%$/m)
    expect(text).to.match(/^free +2/m)
    expect(text).to.include('1 task(s) hold no address on it yet: web.2 (new)')
    const table = renderNetworks([{...network, services: ['web'], capacity: c}])
    expect(table).to.match(/^NAME +ID +SUBNET +GATEWAY +USED +FREE +ATTACHABLE/)
    expect(table).to.match(/^tiny +tiny +10\.99\.0\.0\/29 +3\/5 +2 /m)
  })
})
