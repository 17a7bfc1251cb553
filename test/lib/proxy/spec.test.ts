import {expect} from 'chai'

import type {NetworkSummary, ServiceSpec} from '../../../src/lib/docker/engine.js'
import {UsageError} from '../../../src/lib/core/errors.js'
import {type ClusterDefaults, DEFAULT_IMAGE, HTTP_PORTS, type ProxyUpInput, checkProxyInput, proxySpec, specChanges} from '../../../src/lib/proxy/spec.js'
import {serviceOf} from '../../helpers/fake-engine.js'

/** `swarmnet proxy up` with no flags. */
function input(overrides: Partial<ProxyUpInput> = {}): ProxyUpInput {
  return {name: 'proxy', network: 'proxy', env: [], publishApi: true, constraints: [], ...overrides}
}

const BOOK: ClusterDefaults = {image: DEFAULT_IMAGE, mode: 'replicated', publishMode: 'ingress'}
const NO_IPVS: ClusterDefaults = {image: DEFAULT_IMAGE, mode: 'global', publishMode: 'host', reason: 'this kernel has no IPVS'}

const port = (p: number, publishMode = 'ingress') => ({protocol: 'tcp', targetPort: p, publishedPort: p, publishMode})

function network(id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary {
  return {id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides}
}

describe('proxy/spec', () => {
  it('starts the maintained image and publishes 80 and 443', () => {
    expect(DEFAULT_IMAGE).to.equal('dockerflow/docker-flow-proxy')
    expect(HTTP_PORTS).to.deep.equal([80, 443])
  })

  describe('checkProxyInput', () => {
    it('accepts the defaults and every good value', () => {
      expect(() => checkProxyInput(input())).not.to.throw()
      expect(() =>
        checkProxyInput(
          input({
            name: 'my_proxy.v2', network: 'front-end', image: 'registry.example.com:5000/dockerflow/docker-flow-proxy:18.04.06@sha256:abc', replicas: '3', mode: 'replicated',
            publishMode: 'host', env: ['PORT=9000', 'DEBUG=true', 'EMPTY=', 'A=b=c', '_X=1'], constraints: ['node.role==manager', 'node.labels.proxy != false', 'node.hostname==node-1'],
          }),
        ),
      ).not.to.throw()
      expect(() => checkProxyInput(input({mode: 'global'}))).not.to.throw()
      expect(() => checkProxyInput(input({replicas: '100'}))).not.to.throw()
    })

    const bad: [string, Partial<ProxyUpInput>, string][] = [
      ['--name with a space', {name: 'my proxy'}, 'invalid --name "my proxy": expected a service name (letters, digits, "_", "." or "-")'],
      ['--name starting with -', {name: '-proxy'}, 'invalid --name "-proxy": expected a service name (letters, digits, "_", "." or "-")'],
      ['an empty --name', {name: ''}, 'invalid --name "": expected a service name (letters, digits, "_", "." or "-")'],
      ['--network with a slash', {network: 'a/b'}, 'invalid --network "a/b": expected a network name (letters, digits, "_", "." or "-")'],
      ['an empty --network', {network: ''}, 'invalid --network "": expected a network name (letters, digits, "_", "." or "-")'],
      ['--image with a space', {image: 'docker flow'}, 'invalid --image "docker flow": expected an image reference like dockerflow/docker-flow-proxy:latest'],
      ['--image starting with /', {image: '/x'}, 'invalid --image "/x": expected an image reference like dockerflow/docker-flow-proxy:latest'],
      ['an empty --image', {image: ''}, 'invalid --image "": expected an image reference like dockerflow/docker-flow-proxy:latest'],
      ['--mode bogus', {mode: 'bogus'}, 'invalid --mode "bogus": expected replicated or global'],
      ['--mode Global', {mode: 'Global'}, 'invalid --mode "Global": expected replicated or global'],
      ['--publish-mode bogus', {publishMode: 'bogus'}, 'invalid --publish-mode "bogus": expected ingress or host'],
      ['--replicas 0', {replicas: '0'}, 'invalid --replicas "0": expected a whole number from 1 to 100'],
      ['--replicas 101', {replicas: '101'}, 'invalid --replicas "101": expected a whole number from 1 to 100'],
      ['--replicas x', {replicas: 'x'}, 'invalid --replicas "x": expected a whole number from 1 to 100'],
      ['--replicas -1', {replicas: '-1'}, 'invalid --replicas "-1": expected a whole number from 1 to 100'],
      ['--replicas 1.5', {replicas: '1.5'}, 'invalid --replicas "1.5": expected a whole number from 1 to 100'],
      ['--replicas with --mode global', {replicas: '2', mode: 'global'}, '--replicas does not go with --mode global (one task per node)'],
      ['--env without =', {env: ['DEBUG']}, 'invalid --env "DEBUG": expected KEY=VALUE'],
      ['--env without a key', {env: ['=x']}, 'invalid --env "": expected KEY=VALUE'],
      ['--env with a bad key', {env: ['1A=x']}, 'invalid --env "1A": expected KEY=VALUE'],
      ['--env with a dash in the key', {env: ['A-B=x']}, 'invalid --env "A-B": expected KEY=VALUE'],
      ['--constraint with spaces inside the value', {constraints: ['node.role==manager worker']}, 'invalid --constraint "node.role==manager worker": expected an expression like node.role==manager or node.labels.proxy!=false'],
      ['--constraint with =', {constraints: ['node.role=manager']}, 'invalid --constraint "node.role=manager": expected an expression like node.role==manager or node.labels.proxy!=false'],
      ['--constraint without a value', {constraints: ['node.role==']}, 'invalid --constraint "node.role==": expected an expression like node.role==manager or node.labels.proxy!=false'],
    ]
    for (const [what, overrides, message] of bad) {
      it(`rejects ${what}`, () => {
        expect(() => checkProxyInput(input(overrides))).to.throw(UsageError).with.property('message', message)
      })
    }

    it('checks the later env entries too', () => {
      expect(() => checkProxyInput(input({env: ['A=1', 'B']}))).to.throw(UsageError, 'invalid --env "B": expected KEY=VALUE')
    })
  })

  describe('proxySpec', () => {
    it('is the book\'s service by default: replicated once, ingress 80/443/8080, MODE=swarm, SERVICE_NAME', () => {
      expect(proxySpec(input(), BOOK)).to.deep.equal({
        name: 'proxy', image: 'dockerflow/docker-flow-proxy', mode: 'replicated', replicas: 1, env: ['MODE=swarm', 'SERVICE_NAME=proxy'], networks: ['proxy'],
        ports: [port(80), port(443), port(8080)], constraints: [], labels: {'org.swarmnet.proxy': 'true'},
      } satisfies ServiceSpec)
    })

    it('runs on every node in host mode without IPVS', () => {
      expect(proxySpec(input(), NO_IPVS)).to.deep.equal({
        name: 'proxy', image: 'dockerflow/docker-flow-proxy', mode: 'global', replicas: undefined, env: ['MODE=swarm', 'SERVICE_NAME=proxy'], networks: ['proxy'],
        ports: [port(80, 'host'), port(443, 'host'), port(8080, 'host')], constraints: [], labels: {'org.swarmnet.proxy': 'true'},
      })
    })

    it('takes --replicas as replicated, even where the default is global', () => {
      const spec = proxySpec(input({replicas: '3'}), NO_IPVS)
      expect([spec.mode, spec.replicas]).to.deep.equal(['replicated', 3])
      expect(spec.ports.map((p) => p.publishMode)).to.deep.equal(['host', 'host', 'host'])
    })

    it('follows --mode over the default', () => {
      expect(proxySpec(input({mode: 'replicated'}), NO_IPVS)).to.include({mode: 'replicated', replicas: 1})
      expect(proxySpec(input({mode: 'global'}), BOOK)).to.include({mode: 'global', replicas: undefined})
    })

    it('follows --publish-mode and --image', () => {
      const spec = proxySpec(input({publishMode: 'host', image: 'vfarcic/docker-flow-proxy:18.04'}), BOOK)
      expect(spec.image).to.equal('vfarcic/docker-flow-proxy:18.04')
      expect(spec.ports).to.deep.equal([port(80, 'host'), port(443, 'host'), port(8080, 'host')])
    })

    it('sets SERVICE_NAME to --name, so distribute finds tasks.<name>', () => {
      const spec = proxySpec(input({name: 'edge', network: 'front'}), BOOK)
      expect(spec.name).to.equal('edge')
      expect(spec.env).to.deep.equal(['MODE=swarm', 'SERVICE_NAME=edge'])
      expect(spec.networks).to.deep.equal(['front'])
    })

    it('lets --env override by key, later ones winning, keeping the first position', () => {
      const spec = proxySpec(input({env: ['DEBUG=true', 'MODE=default', 'DEBUG=false', 'SERVICE_NAME=other']}), BOOK)
      expect(spec.env).to.deep.equal(['MODE=default', 'SERVICE_NAME=other', 'DEBUG=false'])
    })

    it('keeps "=" inside values', () => {
      expect(proxySpec(input({env: ['USERS=a:b=c']}), BOOK).env).to.deep.equal(['MODE=swarm', 'SERVICE_NAME=proxy', 'USERS=a:b=c'])
    })

    it('drops 8080 with --no-publish-api', () => {
      expect(proxySpec(input({publishApi: false}), BOOK).ports).to.deep.equal([port(80), port(443)])
    })

    it('publishes the API on PORT when --env PORT is given', () => {
      expect(proxySpec(input({env: ['PORT=9000']}), BOOK).ports).to.deep.equal([port(80), port(443), port(9000)])
      expect(proxySpec(input({env: ['PORT=9000'], publishApi: false}), BOOK).ports).to.deep.equal([port(80), port(443)])
    })

    it('keeps 8080 when PORT is not a number', () => {
      expect(proxySpec(input({env: ['PORT=abc']}), BOOK).ports.map((p) => p.targetPort)).to.deep.equal([80, 443, 8080])
    })

    it('passes constraints through and labels the service as swarmnet\'s proxy', () => {
      const spec = proxySpec(input({constraints: ['node.role==manager']}), BOOK)
      expect(spec.constraints).to.deep.equal(['node.role==manager'])
      expect(spec.labels).to.deep.equal({'org.swarmnet.proxy': 'true'})
    })
  })

  describe('specChanges', () => {
    const networks = [network('n-proxy', 'proxy'), network('n-ingress', 'ingress', {ingress: true}), network('n-other', 'other')]
    const wanted = proxySpec(input(), BOOK)
    /** The service Docker reports for `wanted`, as created. */
    const running = (overrides: Parameters<typeof serviceOf>[2] = {}) =>
      serviceOf('s1', 'proxy', {
        image: 'dockerflow/docker-flow-proxy:latest', mode: 'replicated', replicas: 1, env: ['MODE=swarm', 'SERVICE_NAME=proxy'],
        networks: [{id: 'n-proxy', vip: '10.0.1.2/24'}, {id: 'n-ingress', vip: '10.0.0.5/24'}], ports: [port(80), port(443), port(8080)], constraints: [],
        labels: {'org.swarmnet.proxy': 'true'}, ...overrides,
      })

    it('finds nothing when the service is what the spec says (the ingress network ignored)', () => {
      expect(specChanges(running(), wanted, networks)).to.deep.equal([])
    })

    it('takes x and x:latest for the same image, and ignores a digest', () => {
      expect(specChanges(running({image: 'dockerflow/docker-flow-proxy'}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running({image: 'dockerflow/docker-flow-proxy:latest@sha256:0123abcd'}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running({image: 'dockerflow/docker-flow-proxy@sha256:0123abcd'}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running({image: 'localhost:5000/proxy'}), {...wanted, image: 'localhost:5000/proxy:latest'}, networks)).to.deep.equal([])
    })

    it('names a different image or tag', () => {
      expect(specChanges(running({image: 'dockerflow/docker-flow-proxy:18.04'}), wanted, networks)).to.deep.equal([
        {field: 'image', current: 'dockerflow/docker-flow-proxy:18.04', wanted: 'dockerflow/docker-flow-proxy:latest'},
      ])
      expect(specChanges(running({image: 'vfarcic/docker-flow-proxy'}), wanted, networks)).to.deep.equal([
        {field: 'image', current: 'vfarcic/docker-flow-proxy:latest', wanted: 'dockerflow/docker-flow-proxy:latest'},
      ])
    })

    it('names a different mode or replica count', () => {
      expect(specChanges(running({replicas: 3}), wanted, networks)).to.deep.equal([{field: 'mode', current: 'replicated (3)', wanted: 'replicated (1)'}])
      expect(specChanges(running({mode: 'global', replicas: undefined}), wanted, networks)).to.deep.equal([{field: 'mode', current: 'global', wanted: 'replicated (1)'}])
      expect(specChanges(running({replicas: undefined}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running(), proxySpec(input(), NO_IPVS), networks).map((c) => c.field)).to.deep.equal(['mode', 'ports'])
    })

    it('names different ports, in any order the engine lists them', () => {
      expect(specChanges(running({ports: [port(8080), port(443), port(80)]}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running({ports: [port(80), port(443)]}), wanted, networks)).to.deep.equal([
        {field: 'ports', current: '443:443/tcp ingress, 80:80/tcp ingress', wanted: '443:443/tcp ingress, 8080:8080/tcp ingress, 80:80/tcp ingress'},
      ])
      expect(specChanges(running({ports: [port(80, 'host'), port(443), port(8080)]}), wanted, networks)).to.deep.equal([
        {field: 'ports', current: '443:443/tcp ingress, 8080:8080/tcp ingress, 80:80/tcp host', wanted: '443:443/tcp ingress, 8080:8080/tcp ingress, 80:80/tcp ingress'},
      ])
      expect(specChanges(running({ports: []}), wanted, networks)[0]).to.deep.include({field: 'ports', current: '(none)'})
      expect(specChanges(running({ports: [{protocol: 'tcp', targetPort: 80, publishMode: 'ingress'}, port(443), port(8080)]}), wanted, networks)[0].current).to.equal(
        '-:80/tcp ingress, 443:443/tcp ingress, 8080:8080/tcp ingress',
      )
    })

    it('names different networks, by name, unknown ids as they are', () => {
      expect(specChanges(running({networks: [{id: 'n-other'}, {id: 'n-ingress'}]}), wanted, networks)).to.deep.equal([{field: 'networks', current: 'other', wanted: 'proxy'}])
      expect(specChanges(running({networks: [{id: 'n-proxy'}, {id: 'n-other'}]}), wanted, networks)).to.deep.equal([{field: 'networks', current: 'other, proxy', wanted: 'proxy'}])
      expect(specChanges(running({networks: [{id: 'gone'}]}), wanted, networks)).to.deep.equal([{field: 'networks', current: 'gone', wanted: 'proxy'}])
      expect(specChanges(running({networks: []}), wanted, networks)).to.deep.equal([{field: 'networks', current: '(none)', wanted: 'proxy'}])
    })

    it('names different env, whatever the order', () => {
      expect(specChanges(running({env: ['SERVICE_NAME=proxy', 'MODE=swarm']}), wanted, networks)).to.deep.equal([])
      expect(specChanges(running({env: ['MODE=swarm']}), wanted, networks)).to.deep.equal([{field: 'env', current: 'MODE=swarm', wanted: 'MODE=swarm, SERVICE_NAME=proxy'}])
    })

    it('names different constraints', () => {
      expect(specChanges(running({constraints: ['node.role==manager']}), wanted, networks)).to.deep.equal([{field: 'constraints', current: 'node.role==manager', wanted: '(none)'}])
    })

    it('lists every difference, in a fixed order', () => {
      const current = running({image: 'x:1', replicas: 2, ports: [], networks: [], env: [], constraints: ['a==b']})
      expect(specChanges(current, wanted, networks).map((c) => c.field)).to.deep.equal(['image', 'mode', 'ports', 'networks', 'env', 'constraints'])
    })

    it('does not compare labels (the update merges them)', () => {
      expect(specChanges(running({labels: {other: 'x'}}), wanted, networks)).to.deep.equal([])
    })

    it('ignores an ingress network that is not named "ingress"', () => {
      const custom = [network('n-proxy', 'proxy'), network('n-ing', 'my-ingress', {ingress: true})]
      expect(specChanges(running({networks: [{id: 'n-proxy'}, {id: 'n-ing'}]}), wanted, custom)).to.deep.equal([])
    })
  })
})
