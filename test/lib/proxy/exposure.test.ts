import {expect} from 'chai'

import {apiExposure, apiExposures} from '../../../src/lib/proxy/exposure.js'
import {node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const nodes = [node('n1', 'node-1', '10.0.0.11', 'manager'), node('n2', 'node-2', '10.0.0.12'), node('n3', 'node-3', '10.0.0.13')]
const port = (targetPort: number, publishMode: 'host' | 'ingress', publishedPort?: number) => ({protocol: 'tcp', targetPort, publishedPort, publishMode})
const proxy = (ports: ReturnType<typeof port>[], env: string[] = []) => serviceOf('s-proxy', 'proxy', {image: 'dockerflow/docker-flow-proxy', ports, env, labels: {'org.swarmnet.proxy': 'true'}})

describe('proxy API exposure warnings', () => {
  it('says nothing when the API port is not published (80 and 443 are meant to be public)', () => {
    expect(apiExposure(proxy([port(80, 'ingress', 80), port(443, 'ingress', 443)]), [], nodes)).to.equal(undefined)
  })

  it('ingress: open on every node of the swarm, whatever runs where', () => {
    const warning = apiExposure(proxy([port(80, 'ingress', 80), port(8080, 'ingress', 8080)]), [taskOf('t1', 's-proxy', 'n2')], nodes)!
    expect(warning).to.deep.include({code: 'proxy-api-published', service: 'proxy', port: 8080, publishMode: 'ingress', addresses: ['10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.13:8080']})
    expect(warning.message).to.equal("proxy's API (port 8080) is published with no authentication on 10.0.0.11:8080, 10.0.0.12:8080, 10.0.0.13:8080: anyone who reaches these addresses can add, change or remove routes; `swarmnet proxy up --update` without --publish-api closes it (swarmnet reaches each replica over SSH instead)")
  })

  it('host mode: only the nodes running a task, at the port each task reports (the API on PORT=9000 published as 9090)', () => {
    const service = proxy([port(80, 'host', 80), port(9000, 'host', 9090)], ['PORT=9000'])
    const tasks = [
      taskOf('t1', 's-proxy', 'n1', {publishedPorts: [port(80, 'host', 80), port(9000, 'host', 9090)]}),
      taskOf('t3', 's-proxy', 'n3', {state: 'starting', publishedPorts: []}),
      taskOf('t2', 's-proxy', 'n2', {desiredState: 'shutdown', state: 'shutdown', publishedPorts: [port(9000, 'host', 9090)]}),
      taskOf('t9', 's-other', 'n2', {publishedPorts: [port(9000, 'host', 9090)]}),
    ]
    const warning = apiExposure(service, tasks, nodes)!
    // node-3's task has not reported its port yet: the spec's is named; node-2's task is shut down.
    expect(warning).to.deep.include({port: 9000, publishMode: 'host', addresses: ['10.0.0.11:9090', '10.0.0.13:9090']})
  })

  it('host mode before any task runs still warns, saying where it will open', () => {
    const warning = apiExposure(proxy([port(8080, 'host', 8080)]), [], nodes)!
    expect(warning.addresses).to.deep.equal([])
    expect(warning.message).to.include('published with no authentication on each node that runs a task (none runs yet)')
  })

  it('IPv6 node addresses are bracketed', () => {
    const warning = apiExposure(proxy([port(8080, 'ingress', 8080)]), [], [node('n1', 'node-1', 'fd00::11', 'manager')])!
    expect(warning.addresses).to.deep.equal(['[fd00::11]:8080'])
    expect(warning.message).to.include('anyone who reaches that address')
  })

  it('apiExposures looks at every docker-flow-proxy service (by image or label), not at other services publishing 8080', () => {
    const services = [
      proxy([port(8080, 'ingress', 8080)]),
      serviceOf('s-edge', 'edge', {image: 'vfarcic/docker-flow-proxy:18.04', ports: [port(8080, 'host', 8080)]}),
      serviceOf('s-web', 'web', {image: 'nginx', ports: [port(8080, 'ingress', 8080)]}),
    ]
    const warnings = apiExposures(services, [taskOf('t1', 's-edge', 'n2', {publishedPorts: [port(8080, 'host', 8080)]})], nodes)
    expect(warnings.map((w) => [w.service, w.publishMode, w.addresses])).to.deep.equal([
      ['proxy', 'ingress', ['10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.13:8080']],
      ['edge', 'host', ['10.0.0.12:8080']],
    ])
  })
})
