import {expect} from 'chai'

import type {PortSpec} from '../../../src/lib/docker/engine.js'
import {entryPoints} from '../../../src/lib/proxy/entry-points.js'
import {node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const host = (targetPort: number, publishedPort = targetPort, protocol = 'tcp'): PortSpec => ({protocol, targetPort, publishedPort, publishMode: 'host'})
const ingress = (targetPort: number, publishedPort = targetPort, protocol = 'tcp'): PortSpec => ({protocol, targetPort, publishedPort, publishMode: 'ingress'})

const nodes = [
  node('id-10', 'node-10', '10.213.0.20'),
  node('id-2', 'node-2', '10.213.0.12'),
  node('id-1', 'node-1', '10.213.0.11', 'manager'),
  {...node('id-3', 'node-3', '10.213.0.13'), status: 'down'},
]

const row = (n: string, address: string, targetPort: number, publishedPort: number, mode: 'host' | 'ingress') => ({node: n, address, targetPort, publishedPort, mode})

describe('proxy/entry-points', () => {
  it('gives host-mode ports on the nodes of running tasks, as each task published them', () => {
    const proxy = serviceOf('s1', 'proxy', {mode: 'global', ports: [host(80), host(443), host(8080)]})
    const tasks = [
      taskOf('t1', 's1', 'id-1', {publishedPorts: [host(80), host(443), host(8080)]}),
      taskOf('t2', 's1', 'id-2', {publishedPorts: [host(80, 8000), host(443)]}),
    ]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([
      row('node-1', '10.213.0.11', 80, 80, 'host'),
      row('node-2', '10.213.0.12', 80, 8000, 'host'),
      row('node-1', '10.213.0.11', 443, 443, 'host'),
      row('node-2', '10.213.0.12', 443, 443, 'host'),
      row('node-1', '10.213.0.11', 8080, 8080, 'host'),
    ])
  })

  it('skips tasks that are not running, and tasks on nodes it does not know', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [host(80)]})
    const tasks = [
      taskOf('t1', 's1', 'id-1', {state: 'starting', publishedPorts: [host(80)]}),
      taskOf('t2', 's1', 'id-2', {state: 'shutdown', desiredState: 'shutdown', publishedPorts: [host(80)]}),
      taskOf('t3', 's1', 'gone', {publishedPorts: [host(80)]}),
      taskOf('t4', 's1', 'id-10', {publishedPorts: [host(80)]}),
    ]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([row('node-10', '10.213.0.20', 80, 80, 'host')])
  })

  it('lists a host port once although the engine reports it per address family', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [host(80)]})
    const tasks = [taskOf('t1', 's1', 'id-1', {publishedPorts: [host(80), host(80), host(443)]})]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([row('node-1', '10.213.0.11', 80, 80, 'host'), row('node-1', '10.213.0.11', 443, 443, 'host')])
  })

  it('gives ingress ports on every ready node, tasks or not', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [ingress(443), ingress(80), ingress(8080, 18080)]})
    const tasks = [taskOf('t1', 's1', 'id-1')]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([
      row('node-1', '10.213.0.11', 80, 80, 'ingress'),
      row('node-2', '10.213.0.12', 80, 80, 'ingress'),
      row('node-10', '10.213.0.20', 80, 80, 'ingress'),
      row('node-1', '10.213.0.11', 443, 443, 'ingress'),
      row('node-2', '10.213.0.12', 443, 443, 'ingress'),
      row('node-10', '10.213.0.20', 443, 443, 'ingress'),
      row('node-1', '10.213.0.11', 8080, 18080, 'ingress'),
      row('node-2', '10.213.0.12', 8080, 18080, 'ingress'),
      row('node-10', '10.213.0.20', 8080, 18080, 'ingress'),
    ])
  })

  it('ignores udp ports and ports not published', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [ingress(53, 53, 'udp'), {protocol: 'tcp', targetPort: 80, publishMode: 'ingress'}, ingress(81, 0)]})
    const tasks = [taskOf('t1', 's1', 'id-1', {publishedPorts: [host(53, 53, 'udp'), host(9000, 0)]})]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([])
  })

  it('does not take the service\'s host-mode ports for ingress, nor a task\'s ingress ports for host ones', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [host(80)]})
    const tasks = [taskOf('t1', 's1', 'id-1', {publishedPorts: [ingress(80)]})]
    expect(entryPoints(proxy, tasks, nodes)).to.deep.equal([])
  })

  it('mixes both, sorted by target port then node (node-2 before node-10)', () => {
    const proxy = serviceOf('s1', 'proxy', {ports: [host(80), ingress(8080)]})
    const tasks = [taskOf('t10', 's1', 'id-10', {publishedPorts: [host(80)]}), taskOf('t2', 's1', 'id-2', {publishedPorts: [host(80)]})]
    expect(entryPoints(proxy, tasks, [nodes[0], nodes[1]])).to.deep.equal([
      row('node-2', '10.213.0.12', 80, 80, 'host'),
      row('node-10', '10.213.0.20', 80, 80, 'host'),
      row('node-2', '10.213.0.12', 8080, 8080, 'ingress'),
      row('node-10', '10.213.0.20', 8080, 8080, 'ingress'),
    ])
  })

  it('gives nothing without tasks, nodes or ports', () => {
    expect(entryPoints(serviceOf('s1', 'proxy', {ports: [host(80)]}), [], nodes)).to.deep.equal([])
    expect(entryPoints(serviceOf('s1', 'proxy', {ports: [ingress(80)]}), [], [])).to.deep.equal([])
    expect(entryPoints(serviceOf('s1', 'proxy'), [taskOf('t1', 's1', 'id-1')], nodes)).to.deep.equal([])
  })
})
