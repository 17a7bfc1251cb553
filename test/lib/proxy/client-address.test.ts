import {expect} from 'chai'

import {clientAddressCheck} from '../../../src/lib/doctor/swarm/client-address.js'
import type {PortSpec} from '../../../src/lib/docker/engine.js'
import {clientAddressHidden} from '../../../src/lib/proxy/client-address.js'
import {PROXY_LABEL} from '../../../src/lib/proxy/find.js'
import type {ProxyStatusResult} from '../../../src/lib/proxy/lifecycle.js'
import {renderProxyStatus} from '../../../src/lib/proxy/render.js'
import {serviceOf} from '../../helpers/fake-engine.js'

const port = (targetPort: number, publishMode: string, publishedPort: number | undefined = targetPort, protocol = 'tcp'): PortSpec => ({protocol, targetPort, publishedPort, publishMode})
const proxyOf = (ports: PortSpec[], env: string[] = []) => serviceOf('p1', 'proxy', {image: 'dockerflow/docker-flow-proxy:latest', ports, env, labels: {[PROXY_LABEL]: 'true'}})
const FIX = '`swarmnet proxy up --publish-mode host --update` (or `docker service update --publish-rm 80 --publish-add mode=host,target=80,published=80 --publish-rm 443 --publish-add mode=host,target=443,published=443 proxy`)'

describe('proxy: the client address', () => {
  it('80 and 443 in ingress mode hide every client\'s address: says so, with the host-mode fix', () => {
    expect(clientAddressHidden(proxyOf([port(80, 'ingress'), port(443, 'ingress')]))).to.deep.equal({
      code: 'client-address-hidden', service: 'proxy', ports: [80, 443],
      message: "proxy publishes 80, 443 in ingress mode: the routing mesh replaces each client's address with its own, so the proxy, its logs and the services behind it never see the client's IP (moby/moby#25526)",
      fix: `publish in host mode: ${FIX}`,
    })
  })

  it('host mode keeps it; the API port, UDP and unpublished ports do not count', () => {
    expect(clientAddressHidden(proxyOf([port(80, 'host'), port(443, 'host')]))).to.equal(undefined)
    expect(clientAddressHidden(proxyOf([port(80, 'host'), port(8080, 'ingress')]))).to.equal(undefined)
    expect(clientAddressHidden(proxyOf([port(9000, 'ingress')], ['PORT=9000']))).to.equal(undefined)
    expect(clientAddressHidden(proxyOf([port(53, 'ingress', 53, 'udp'), port(80, 'ingress', 0)]))).to.equal(undefined)
  })

  it('a published port other than the target is named as published, and removed by it', () => {
    const hidden = clientAddressHidden(proxyOf([port(80, 'ingress', 8000)]))!
    expect(hidden.ports).to.deep.equal([8000])
    expect(hidden.fix).to.include('--publish-rm 8000 --publish-add mode=host,target=80,published=8000 proxy')
  })

  describe('doctor\'s client-address check', () => {
    it('warns on the proxy service, with the fix as its hint', () => {
      expect(clientAddressCheck({nodes: [], networks: [], tasks: [], services: [proxyOf([port(80, 'ingress'), port(443, 'ingress')])]})).to.deep.equal([{
        name: 'client-address', subject: 'service proxy', status: 'warn',
        detail: "proxy publishes 80, 443 in ingress mode: the routing mesh replaces each client's address with its own, so the proxy, its logs and the services behind it never see the client's IP (moby/moby#25526)",
        hint: `publish in host mode: ${FIX}`,
      }])
    })

    it('passes a proxy in host mode, skips one publishing nothing, and says nothing without a proxy', () => {
      const services = [proxyOf([port(80, 'host'), port(443, 'host')]), serviceOf('p2', 'edge', {image: 'vfarcic/docker-flow-proxy'}), serviceOf('w', 'web', {ports: [port(80, 'ingress')]})]
      expect(clientAddressCheck({nodes: [], networks: [], tasks: [], services})).to.deep.equal([
        {name: 'client-address', subject: 'service proxy', status: 'pass', detail: "publishes 80, 443 in host mode: it sees each client's address"},
        {name: 'client-address', subject: 'service edge', status: 'skip', detail: 'publishes no port'},
      ])
    })
  })
})

describe('proxy status: the client address', () => {
  const status = (ports: PortSpec[]): ProxyStatusResult => {
    const proxy = proxyOf(ports)
    const hidden = clientAddressHidden(proxy)
    return {
      proxy: {name: 'proxy', image: proxy.image, mode: 'replicated', replicas: 1, ports, networks: ['proxy']},
      replicas: [{node: 'node-1', task: 'proxy.1', taskId: 't1', state: 'running', image: proxy.image, ports: [], api: 'ok', routes: 0}],
      read: 1, desired: 1, notRead: [], agree: true, differences: [], warnings: [], ...(hidden ? {clientAddress: hidden} : {}),
    }
  }

  it('warns under the table that the mesh hides the client address, with the fix', () => {
    const text = renderProxyStatus(status([port(80, 'ingress'), port(443, 'ingress')]), false)
    expect(text.split('\n').at(-1)).to.equal(`Warning: proxy publishes 80, 443 in ingress mode: the routing mesh replaces each client's address with its own, so the proxy, its logs and the services behind it never see the client's IP (moby/moby#25526); publish in host mode: ${FIX}.`)
  })

  it('says nothing of it in host mode', () => {
    expect(renderProxyStatus(status([port(80, 'host'), port(443, 'host')]), false)).not.to.include('client')
  })
})
