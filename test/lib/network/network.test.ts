import {expect} from 'chai'

import {UsageError} from '../../../src/lib/core/errors.js'
import {cidrsOverlap, createOverlay, inspectOverlay, listOverlays, validateNetworkSpec} from '../../../src/lib/network/network.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const overlay = (id: string, name: string) => ({id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [{subnet: '10.0.1.0/24', gateway: '10.0.1.1'}], options: {}, labels: {}})
const service = (id: string, name: string, networks: {id: string; vip?: string}[]) => serviceOf(id, name, {networks})

describe('networks', () => {
  it('lists only overlays, with the services attached and their address use', async () => {
    const engine = fakeEngine({
      listNetworks: async () => [overlay('n1', 'proxy'), {...overlay('b', 'bridge'), driver: 'bridge'}],
      listServices: async () => [service('s1', 'go-demo', [{id: 'n1', vip: '10.0.1.2'}]), service('s2', 'db', [])],
      listNodes: async () => [node('id-1', 'node-1', '10.213.0.11', 'manager')],
      listTasks: async () => [taskOf('t1', 's1', 'id-1', {slot: 1, addresses: [{networkId: 'n1', address: '10.0.1.5'}]})],
    })
    const networks = await listOverlays(engine)
    expect(networks.map((n) => [n.name, n.services])).to.deep.equal([['proxy', ['go-demo']]])
    expect(networks[0].capacity).to.deep.equal({size: 253, used: 3, free: 250, percent: 1, vips: 1, tasks: 1, lbEndpoints: 1, waiting: 0})
  })

  const bad: [object, RegExp][] = [
    [{name: 'a b'}, /invalid network name "a b"/],
    [{name: '-x'}, /invalid network name "-x"/],
    [{name: 'n', subnet: '10.0.0.0'}, /invalid --subnet "10.0.0.0"/],
    [{name: 'n', subnet: '300.0.0.0/24'}, /invalid --subnet/],
    [{name: 'n', gateway: '10.0.0.1'}, /--gateway needs --subnet/],
    [{name: 'n', subnet: '10.0.9.0/24', gateway: '10.0.10.1'}, /not inside --subnet 10.0.9.0\/24/],
    [{name: 'n', mtu: 20}, /invalid --mtu "20"/],
  ]
  for (const [spec, message] of bad) {
    it(`rejects ${JSON.stringify(spec)} before sending anything (network create checks it before connecting)`, () => {
      expect(() => validateNetworkSpec(spec as never)).to.throw(UsageError, message)
    })
  }

  it('refuses a name that is taken', async () => {
    const engine = fakeEngine({listNetworks: async () => [overlay('abc123', 'proxy')]})
    const error = await createOverlay(engine, {name: 'proxy'}).catch((e: Error) => e)
    expect(String(error)).to.match(/network "proxy" already exists \(overlay, swarm scope, id abc123\)/)
  })

  it('refuses a --subnet that overlaps a network, naming it, and creates nothing', async () => {
    // The manager would accept it and leave the new network without any address pool.
    const engine = fakeEngine({listNetworks: async () => [overlay('abc123', 'proxy')]}) // createNetwork throws if called
    for (const subnet of ['10.0.1.0/24', '10.0.1.128/25', '10.0.0.0/16']) {
      const error = await createOverlay(engine, {name: 'other', subnet}).catch((e: Error) => e)
      expect(String(error)).to.include(`--subnet ${subnet} overlaps network "proxy" (10.0.1.0/24): choose a free range`)
    }
  })

  it('waits for the allocator to give the new network its address pool', async () => {
    let asked = 0
    const engine = fakeEngine({
      listNetworks: async () => [],
      createNetwork: async () => 'n9',
      inspectNetwork: async () => ({...overlay('n9', 'fresh'), subnets: ++asked < 3 ? [] : [{subnet: '10.0.9.0/24', gateway: '10.0.9.1'}], peers: [], services: []}),
    })
    const created = await createOverlay(engine, {name: 'fresh'}, 2000)
    expect([asked, created.subnets]).to.deep.equal([3, [{subnet: '10.0.9.0/24', gateway: '10.0.9.1'}]])
  })

  it('removes a created network the allocator never gives a pool, and says so', async () => {
    const removed: string[] = []
    const engine = fakeEngine({
      listNetworks: async () => [],
      createNetwork: async () => 'n9',
      inspectNetwork: async () => ({...overlay('n9', 'fresh'), subnets: [], peers: [], services: []}),
      removeNetwork: async (id) => {
        removed.push(id)
      },
    })
    const error = await createOverlay(engine, {name: 'fresh', subnet: '10.0.9.0/24'}, 300).catch((e: Error) => e)
    expect(String(error)).to.include('the manager created network "fresh" but gave it no address pool within 0.3s (its allocator refused the subnet), so it was removed again')
    expect(removed).to.deep.equal(['n9'])
  })

  it('tells overlapping CIDR ranges from disjoint ones, IPv4 and IPv6', () => {
    expect(cidrsOverlap('10.0.1.0/24', '10.0.1.0/24')).to.equal(true)
    expect(cidrsOverlap('10.0.0.0/8', '10.0.77.0/24')).to.equal(true)
    expect(cidrsOverlap('10.0.77.0/24', '10.0.0.0/8')).to.equal(true)
    expect(cidrsOverlap('10.0.1.0/25', '10.0.1.128/25')).to.equal(false)
    expect(cidrsOverlap('10.0.1.0/24', '10.0.2.0/24')).to.equal(false)
    expect(cidrsOverlap('fd00::/64', 'fd00::/48')).to.equal(true)
    expect(cidrsOverlap('fd00::/64', '10.0.0.0/8')).to.equal(false)
  })

  it('inspects cluster-wide: VIP, task IPs per node, and peers from the tasks', async () => {
    const engine = fakeEngine({
      listNetworks: async () => [overlay('n1', 'proxy')],
      inspectNetwork: async () => ({...overlay('n1', 'proxy'), peers: [], services: []}),
      listServices: async () => [service('s1', 'go-demo', [{id: 'n1', vip: '10.0.1.2'}])],
      listTasks: async () => [
        taskOf('t2', 's1', 'id-2', {slot: 2, addresses: [{networkId: 'n1', address: '10.0.1.6'}]}),
        taskOf('t1', 's1', 'id-1', {slot: 1, addresses: [{networkId: 'n1', address: '10.0.1.5'}, {networkId: 'other', address: '10.0.0.9'}]}),
      ],
      listNodes: async () => [node('id-1', 'node-1', '10.213.0.11', 'manager'), node('id-2', 'node-2', '10.213.0.12')],
    })
    const result = await inspectOverlay(engine, 'proxy')
    expect(result.services[0].vip).to.equal('10.0.1.2')
    expect(result.services[0].tasks.map((t) => [t.task, t.node, t.ip])).to.deep.equal([['go-demo.1', 'node-1', '10.0.1.5'], ['go-demo.2', 'node-2', '10.0.1.6']])
    expect(result.peers).to.deep.equal([{name: 'node-1', ip: '10.213.0.11'}, {name: 'node-2', ip: '10.213.0.12'}])
    expect(result.capacity).to.deep.include({size: 253, used: 5, free: 248, vips: 1, tasks: 2, lbEndpoints: 2, lbNodes: ['node-1', 'node-2']})
  })

  it('names an unknown network and lists the overlays', async () => {
    const engine = fakeEngine({listNetworks: async () => [overlay('n1', 'proxy')]})
    const error = await inspectOverlay(engine, 'nope').catch((e: Error) => e)
    expect(error).to.be.instanceOf(UsageError)
    expect(String(error)).to.match(/unknown overlay network "nope"; overlay networks are proxy/)
  })
})
