import {expect} from 'chai'

import type {SwarmContext} from '../../../../src/lib/doctor/swarm-checks.js'
import {capacityFindings} from '../../../../src/lib/doctor/swarm/capacity.js'
import {node, overlayOf, serviceOf, taskOf} from '../../../helpers/fake-engine.js'

const nodes = [node('id-1', 'node-1', '10.213.0.11', 'manager'), node('id-2', 'node-2', '10.213.0.12'), node('id-3', 'node-3', '10.213.0.13')]
const at = (networkId: string, address: string) => ({addresses: [{networkId, address}]})

function context(subnet: string, running: number, waiting = 0, endpointMode = 'vip'): SwarmContext {
  const web = serviceOf('s1', 'web', {endpointMode, replicas: running + waiting, networks: [{id: 'n1', ...(endpointMode === 'vip' ? {vip: '10.99.0.2'} : {})}]})
  const tasks = [
    ...Array.from({length: running}, (_, i) => taskOf(`r${i + 1}`, 's1', 'id-1', {slot: i + 1, ...at('n1', `10.99.0.${i + 3}`)})),
    ...Array.from({length: waiting}, (_, i) => taskOf(`w${i + 1}`, 's1', '', {slot: running + i + 1, state: 'new', containerId: undefined})),
  ]
  return {nodes, services: [web], networks: [overlayOf('n1', 'tiny', subnet), {...overlayOf('b', 'bridge', '172.17.0.0/16'), driver: 'bridge'}], tasks}
}

describe('doctor: capacity', () => {
  it('passes a roomy overlay, saying its use; non-overlays are not looked at', () => {
    expect(capacityFindings(context('10.99.0.0/24', 2))).to.deep.equal([
      {name: 'capacity', subject: 'network tiny', status: 'pass', detail: '4/253 addresses used (1%: 1 VIP, 2 task, 1 load-balancer endpoint)'},
    ])
  })

  it('warns from 75%, with what is left and the way out', () => {
    // /28: 13 usable; VIP + 9 tasks + 1 endpoint = 11 (84%).
    const [f] = capacityFindings(context('10.99.0.0/28', 9))
    expect(f).to.deep.include({status: 'warn', detail: '11/13 addresses used (84%: 1 VIP, 9 task, 1 load-balancer endpoint)'})
    expect(f.hint).to.match(/^2 address\(es\) left: scaling up and rolling updates .* will stall there; plan for it: a larger --subnet .*, fewer replicas, or --endpoint-mode dnsrr to save the VIP$/)
  })

  it('fails a full overlay, naming the tasks it strands and the fix', () => {
    const [f] = capacityFindings(context('10.99.0.0/29', 3, 4))
    expect(f.status).to.equal('fail')
    expect(f.detail).to.equal('full: 5/5 addresses used (100%: 1 VIP, 3 task, 1 load-balancer endpoint); 4 task(s) stuck: web.4 (new), web.5 (new), web.6 (new), web.7 (new)')
    expect(f.hint).to.equal('new tasks on tiny get no address and stay in New or Preparing, with no error shown: a larger --subnet (a new network: a subnet cannot grow; it needs 9 or more, a /27 leaves room), fewer replicas, or --endpoint-mode dnsrr to save the VIP')
  })

  it('dnsrr: no VIP to save, so the hint does not offer it', () => {
    const [f] = capacityFindings(context('10.99.0.0/29', 4, 2, 'dnsrr'))
    expect(f.status).to.equal('fail')
    expect(f.hint).not.to.include('dnsrr')
  })

  it('names tasks holding an address but not started (Preparing: their node waits for its endpoint)', () => {
    const ctx = context('10.99.0.0/29', 4)
    ctx.tasks = ctx.tasks.map((t) => ({...t, state: 'preparing'}))
    expect(capacityFindings(ctx)[0].detail).to.match(/4 task\(s\) stuck: web\.1 \(preparing, node-1\), web\.2 \(preparing, node-1\)/)
  })

  it('ingress: every node takes an address, so the fix is a larger ingress, not fewer replicas', () => {
    const many = Array.from({length: 200}, (_, i) => node(`id-${i}`, `node-${i}`, `10.213.1.${i}`))
    const [f] = capacityFindings({nodes: many, services: [], tasks: [], networks: [overlayOf('ing', 'ingress', '10.0.0.0/24', {ingress: true})]})
    expect(f).to.deep.include({subject: 'network ingress', status: 'warn', detail: '200/253 addresses used (79%: 0 VIP, 0 task, 200 load-balancer endpoint)'})
    expect(f.hint).to.match(/recreate ingress with a larger --subnet .*every node takes one address on it$/)
    expect(f.hint).not.to.include('replicas')
  })

  it('a network without a subnet yet is skipped, not failed', () => {
    const ctx = context('10.99.0.0/24', 0)
    ctx.networks = [{...ctx.networks[0], subnets: []}]
    expect(capacityFindings(ctx)).to.deep.equal([{name: 'capacity', subject: 'network tiny', status: 'skip', detail: 'no subnet allocated yet'}])
  })

  it('looks only at the networks it is given (doctor --network)', () => {
    const ctx = context('10.99.0.0/29', 3, 4)
    ctx.networks = []
    expect(capacityFindings(ctx)).to.deep.equal([])
  })
})
