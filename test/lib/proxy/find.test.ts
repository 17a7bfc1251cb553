import {expect} from 'chai'

import type {NetworkSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {DEFAULT_API_PORT, PROXY_LABEL, apiPortOf, findProxy, isProxyImage, proxyNetworks} from '../../../src/lib/proxy/find.js'
import {fakeEngine, serviceOf} from '../../helpers/fake-engine.js'
import {asInCi} from '../../helpers/fixtures.js'

function network(id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary {
  return {id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides}
}

const demo = serviceOf('s-demo', 'go-demo')
const db = serviceOf('s-db', 'go-demo-db', {image: 'mongo:3.2.10'})
const book = serviceOf('s-book', 'edge', {image: 'vfarcic/docker-flow-proxy'})
const labelled = serviceOf('s-lab', 'front', {image: 'haproxy:2.6', labels: {[PROXY_LABEL]: 'true'}})
const maintained = serviceOf('s-new', 'app_proxy', {image: 'dockerflow/docker-flow-proxy:18.10.14-9'})

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('should have failed'),
    (error: Error) => error,
  )
}

describe('proxy/find', () => {
  it('labels swarmnet\'s proxy and knows the API port', () => {
    expect(PROXY_LABEL).to.equal('org.swarmnet.proxy')
    expect(DEFAULT_API_PORT).to.equal(8080)
  })

  describe('isProxyImage', () => {
    for (const image of [
      'vfarcic/docker-flow-proxy', 'vfarcic/docker-flow-proxy:latest', 'vfarcic/docker-flow-proxy:1.166', 'dockerflow/docker-flow-proxy',
      'dockerflow/docker-flow-proxy:18.10.14-9', 'dockerflow/docker-flow-proxy@sha256:0123456789abcdef', 'dockerflow/docker-flow-proxy:latest@sha256:0123456789abcdef',
      'docker.io/dockerflow/docker-flow-proxy', 'registry.example.com:5000/dockerflow/docker-flow-proxy:beta', 'localhost:5000/vfarcic/docker-flow-proxy',
      'docker-flow-proxy', 'docker-flow-proxy:latest', 'swarmnet-lab/proxy', 'swarmnet-lab/proxy:latest',
    ]) {
      it(`takes ${image} for docker-flow-proxy`, () => expect(isProxyImage(image)).to.equal(true))
    }

    for (const image of [
      'dockerflow/docker-flow-proxy-foo', 'dockerflow/docker-flow-proxy-foo:latest', 'dockerflow/docker-flow-swarm-listener', 'vfarcic/my-docker-flow-proxy',
      'docker-flow-proxy/haproxy', 'haproxy:2.6', 'swarmnet-lab/proxyx', 'swarmnet-lab/go-demo', 'proxy', 'traefik:v2.10', '',
    ]) {
      it(`does not take ${JSON.stringify(image)} for docker-flow-proxy`, () => expect(isProxyImage(image)).to.equal(false))
    }
  })

  describe('findProxy', () => {
    asInCi()

    it('finds --proxy by name or by id', async () => {
      const services = [demo, book, maintained]
      expect(await findProxy(fakeEngine(), {name: 'edge', json: false, services})).to.equal(book)
      expect(await findProxy(fakeEngine(), {name: 's-new', json: false, services})).to.equal(maintained)
      expect(await findProxy(fakeEngine(), {name: 'go-demo', json: false, services})).to.equal(demo)
    })

    it('lists the candidates when --proxy names no service', async () => {
      const error = await failure(findProxy(fakeEngine(), {name: 'nope', json: false, services: [demo, book, labelled, serviceOf('s-p', 'proxy', {image: 'nginx'})]}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('unknown proxy service "nope"; proxy services here: edge, front, proxy')
    })

    it('says there is none when --proxy names no service and nothing looks like a proxy', async () => {
      const error = await failure(findProxy(fakeEngine(), {name: 'nope', json: false, services: [demo, db]}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('unknown proxy service "nope"; this swarm runs no proxy service')
    })

    it('takes the service named "proxy" first, whatever else there is', async () => {
      const proxy = serviceOf('s-p', 'proxy', {image: 'my/own-haproxy'})
      expect(await findProxy(fakeEngine(), {json: false, services: [book, labelled, maintained, proxy]})).to.equal(proxy)
    })

    it('else the one service with swarmnet\'s label', async () => {
      expect(await findProxy(fakeEngine(), {json: false, services: [demo, labelled, db]})).to.equal(labelled)
      const notTrue = serviceOf('s-x', 'x', {image: 'haproxy', labels: {[PROXY_LABEL]: 'false'}})
      const error = await failure(findProxy(fakeEngine(), {json: false, services: [demo, notTrue]}))
      expect(error.message).to.match(/^no proxy service in this swarm/)
    })

    it('else the one service running a docker-flow-proxy image', async () => {
      expect(await findProxy(fakeEngine(), {json: false, services: [demo, maintained, db]})).to.equal(maintained)
    })

    it('asks the engine for the services when none are given', async () => {
      let calls = 0
      const engine = fakeEngine({
        async listServices() {
          calls++
          return [demo, book]
        },
      })
      expect(await findProxy(engine, {json: false})).to.equal(book)
      expect(calls).to.equal(1)
    })

    it('names every candidate and --proxy when several could be the proxy and there is no terminal', async () => {
      const error = await failure(findProxy(fakeEngine(), {json: false, services: [book, demo, labelled, maintained]}))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('several services could be the proxy: edge, front, app_proxy; choose one with --proxy NAME')
      expect((error as UsageError).exitCode).to.equal(2)
    })

    it('never asks under --json', async () => {
      const saved = process.env.CI
      delete process.env.CI
      try {
        const error = await failure(findProxy(fakeEngine(), {json: true, services: [book, maintained]}))
        expect(error.message).to.equal('several services could be the proxy: edge, app_proxy; choose one with --proxy NAME')
      } finally {
        process.env.CI = saved
      }
    })

    it('fails with exit code 1 (not a usage error) when there is no proxy', async () => {
      const error = await failure(findProxy(fakeEngine(), {json: false, services: [demo, db]}))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error).not.to.be.instanceOf(UsageError)
      expect((error as SwarmnetError).exitCode).to.equal(1)
      expect(error.message).to.equal('no proxy service in this swarm; start one with `swarmnet proxy up`, or name yours with --proxy NAME')
    })

    it('fails the same way on an empty swarm', async () => {
      const error = await failure(findProxy(fakeEngine({listServices: async () => []}), {json: false}))
      expect((error as SwarmnetError).exitCode).to.equal(1)
    })
  })

  describe('apiPortOf', () => {
    it('reads PORT from the service env, else 8080', () => {
      expect(apiPortOf({env: ['MODE=swarm', 'PORT=9000']})).to.equal(9000)
      expect(apiPortOf({env: ['MODE=swarm']})).to.equal(8080)
      expect(apiPortOf({env: []})).to.equal(8080)
      expect(apiPortOf({env: ['PORTS=1', 'EXPORT=2', 'XPORT=3']})).to.equal(8080)
      expect(apiPortOf({env: ['PORT=']})).to.equal(8080)
      expect(apiPortOf({env: ['PORT=abc']})).to.equal(8080)
      expect(apiPortOf({env: ['PORT=80a']})).to.equal(8080)
    })

    it('takes the first PORT', () => {
      expect(apiPortOf({env: ['PORT=9000', 'PORT=9001']})).to.equal(9000)
    })
  })

  describe('proxyNetworks', () => {
    it('gives the overlays the proxy is attached to, in its order, without ingress or unknown ids', () => {
      const networks = [network('n-ing', 'ingress', {ingress: true}), network('n-proxy', 'proxy'), network('n-b', 'back'), network('n-x', 'unrelated')]
      const proxy = serviceOf('s1', 'proxy', {networks: [{id: 'n-b'}, {id: 'n-ing', vip: '10.0.0.5'}, {id: 'gone'}, {id: 'n-proxy', vip: '10.0.1.2'}]})
      expect(proxyNetworks(proxy, networks).map((n) => n.name)).to.deep.equal(['back', 'proxy'])
    })

    it('excludes an ingress network under another name', () => {
      const networks = [network('n-ing', 'my-ingress', {ingress: true}), network('n-proxy', 'proxy')]
      expect(proxyNetworks(serviceOf('s1', 'proxy', {networks: [{id: 'n-ing'}, {id: 'n-proxy'}]}), networks).map((n) => n.name)).to.deep.equal(['proxy'])
    })

    it('is empty when the proxy has no overlay', () => {
      expect(proxyNetworks(serviceOf('s1', 'proxy'), [network('n', 'proxy')])).to.deep.equal([])
    })
  })
})
