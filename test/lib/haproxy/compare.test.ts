import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {compareConfigs, groupIdentical, routeKey} from '../../../src/lib/haproxy/compare.js'
import {parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8')
const routed = fixture('current-single.cfg')
const empty = fixture('current-dummy.cfg')
const nodes = (count: number): string[] => Array.from({length: count}, (_, i) => `node-${i + 1}`)

const GO_DEMO_KEY = 'services: use_backend if url_go-demo8080_0 -> go-demo-be8080_0 [go-demo go-demo:8080]'
const DUMMY_KEY = 'services: use_backend if url_dummy -> dummy-be [dummy 1.1.1.1:1111]'

describe('compareConfigs', () => {
  it('says identical when every replica has the same bytes', () => {
    const result = compareConfigs(nodes(3).map((label) => ({label, text: routed})))
    expect(result).to.deep.equal({
      identical: true,
      reference: 'node-1',
      groups: [{labels: ['node-1', 'node-2', 'node-3'], bytes: Buffer.byteLength(routed)}],
      routes: [{
        key: GO_DEMO_KEY, frontend: 'services', rule: 'use_backend', condition: 'if url_go-demo8080_0', backend: 'go-demo-be8080_0',
        servers: ['go-demo go-demo:8080'], placeholder: false, presentIn: ['node-1', 'node-2', 'node-3'], missingFrom: [],
      }],
      differingRoutes: [],
      diffs: [],
    })
  })

  it('finds the replica the fan-out missed (anchors §7.1: five of six got the route)', () => {
    const replicas = nodes(6).map((label) => ({label, text: label === 'node-4' ? empty : routed}))
    const result = compareConfigs(replicas)
    expect(result.identical).to.equal(false)
    expect(result.reference).to.equal('node-1')
    expect(result.groups.map((g) => g.labels)).to.deep.equal([['node-1', 'node-2', 'node-3', 'node-5', 'node-6'], ['node-4']])
    expect(result.routes.map(({key, presentIn, missingFrom, placeholder}) => ({key, presentIn, missingFrom, placeholder}))).to.deep.equal([
      {key: GO_DEMO_KEY, presentIn: ['node-1', 'node-2', 'node-3', 'node-5', 'node-6'], missingFrom: ['node-4'], placeholder: false},
      {key: DUMMY_KEY, presentIn: ['node-4'], missingFrom: ['node-1', 'node-2', 'node-3', 'node-5', 'node-6'], placeholder: true},
    ])
    expect(result.differingRoutes).to.deep.equal([])
    expect(result.diffs).to.have.length(1)
    const [diff] = result.diffs
    expect(diff.labels).to.deep.equal(['node-4'])
    expect(diff.reference).to.equal('node-1')
    const lines = diff.patch.split('\n')
    expect(lines.slice(0, 3)).to.deep.equal(['===================================================================', '--- node-1', '+++ node-4'])
    expect(lines).to.include.members([
      '-    acl url_go-demo8080_0 path_beg /demo',
      '-    use_backend go-demo-be8080_0 if url_go-demo8080_0',
      '-backend go-demo-be8080_0',
      '+    acl url_dummy path_beg /dummy',
      '+backend dummy-be',
    ])
  })

  it('reports a backend whose servers differ between replicas', () => {
    const moved = routed.replace('server go-demo go-demo:8080', 'server go-demo go-demo:9090')
    const result = compareConfigs([{label: 'a', text: routed}, {label: 'b', text: moved}])
    expect(result.routes.map((r) => [r.servers, r.presentIn, r.missingFrom])).to.deep.equal([
      [['go-demo go-demo:8080'], ['a'], ['b']],
      [['go-demo go-demo:9090'], ['b'], ['a']],
    ])
    const backendLines = (port: number) => ['mode http', 'http-request add-header X-Forwarded-Proto https if { ssl_fc }', `server go-demo go-demo:${port}`]
    expect(result.differingRoutes).to.deep.equal([{
      backend: 'go-demo-be8080_0',
      variants: [
        {labels: ['a'], lines: backendLines(8080), routes: [GO_DEMO_KEY]},
        {labels: ['b'], lines: backendLines(9090), routes: [GO_DEMO_KEY.replace('go-demo:8080', 'go-demo:9090')]},
      ],
      missingFrom: [],
    }])
  })

  it('reports a backend that differs only in its other lines, and which replica lacks it', () => {
    const longer = routed.replace('    server go-demo', '    timeout server 60s\n    server go-demo')
    const result = compareConfigs([{label: 'a', text: routed}, {label: 'b', text: longer}, {label: 'c', text: empty}])
    expect(result.routes[0]).to.deep.include({key: GO_DEMO_KEY, presentIn: ['a', 'b'], missingFrom: ['c']})
    expect(result.differingRoutes.map((d) => ({backend: d.backend, labels: d.variants.map((v) => v.labels), missingFrom: d.missingFrom}))).to.deep.equal([
      {backend: 'go-demo-be8080_0', labels: [['a'], ['b']], missingFrom: ['c']},
    ])
    expect(result.differingRoutes[0].variants[1].lines).to.include('timeout server 60s')
  })

  it('ignores comments and blank lines when it compares backends, but not in the byte comparison', () => {
    const commented = routed.replace('backend go-demo-be8080_0\n', 'backend go-demo-be8080_0\n    # hello\n\n')
    const result = compareConfigs([{label: 'a', text: routed}, {label: 'b', text: commented}])
    expect(result.identical).to.equal(false)
    expect(result.differingRoutes).to.deep.equal([])
    expect(result.diffs[0].patch).to.include('+    # hello')
  })

  it('diffs against the largest group, or against the first replica when asked', () => {
    const replicas = [{label: 'a', text: empty}, {label: 'b', text: routed}, {label: 'c', text: routed}]
    const majority = compareConfigs(replicas)
    expect(majority.reference).to.equal('b')
    expect(majority.diffs.map((d) => [d.reference, d.labels])).to.deep.equal([['b', ['a']]])
    expect(majority.diffs[0].patch).to.include('--- b\n+++ a\n')
    const first = compareConfigs(replicas, {reference: 'first'})
    expect(first.reference).to.equal('a')
    expect(first.diffs.map((d) => [d.reference, d.labels])).to.deep.equal([['a', ['b', 'c']]])
    expect(first.diffs[0].patch).to.include('--- a\n+++ b, c\n')
  })

  it('keeps the earlier group on a tie', () => {
    const result = compareConfigs([{label: 'x', text: empty}, {label: 'y', text: routed}])
    expect(result.reference).to.equal('x')
  })

  it('sees a missing final newline', () => {
    const result = compareConfigs([{label: 'a', text: routed}, {label: 'b', text: `${routed}\n`}])
    expect(result.identical).to.equal(false)
    expect(result.routes[0].missingFrom).to.deep.equal([])
    expect(result.diffs[0].patch).to.include('\\ No newline at end of file')
  })

  it('answers for no replica and for one', () => {
    expect(compareConfigs([])).to.deep.equal({identical: true, reference: null, groups: [], routes: [], differingRoutes: [], diffs: []})
    const one = compareConfigs([{label: 'only', text: 'garbage {'}])
    expect(one).to.deep.include({identical: true, reference: 'only', diffs: [], routes: []})
  })
})

describe('groupIdentical', () => {
  it('groups byte-identical files in the order they first appear', () => {
    const crlf = routed.replace(/\n/g, '\r\n')
    const groups = groupIdentical([
      {label: 'n1', text: routed}, {label: 'n2', text: crlf}, {label: 'n3', text: routed}, {label: 'n4', text: 'é'},
    ])
    expect(groups).to.deep.equal([
      {labels: ['n1', 'n3'], bytes: Buffer.byteLength(routed)},
      {labels: ['n2'], bytes: Buffer.byteLength(crlf)},
      {labels: ['n4'], bytes: 2},
    ])
  })
})

describe('routeKey', () => {
  it('names frontend, rule, condition, backend and servers', () => {
    const routes = parseHaproxyConfig(fixture('current-many.cfg')).routes
    expect(routes.map((r) => routeKey(r))).to.deep.equal([
      'services: use_backend if url_01-shop8080_0 domain_01-shop8080_0 srcPort_01-shop8081_0 -> 01-shop-be8080_0 [shop shop:8080]',
      'services: use_backend if url_api28080_0 hdr_api28080_0 -> api2-be8080_0 [api2 api2:8080]',
      'services: use_backend if url_cart8080_0 -> cart-be8080_0 [cart_0 10.0.1.5:8080, cart_1 10.0.1.6:8080]',
      'services: use_backend if url_go-demo8080_1 !url_exclude_go-demo8080_1 domain_go-demo8080_1 -> go-demo-be8080_1 [go-demo go-demo:8080]',
      'services: use_backend if url_go-demo8080_2 user_agent_go-demo_mobile_2 -> go-demo-be8080_2 [go-demo go-demo:8080]',
      'services: use_backend if url_secure8080_0 srcPort_secure80_0 -> secure-be8080_0 [secure secure:8080]',
      'services: use_backend if url_https_secure8443_0 srcHttpsPort_secure443_0 -> https-secure-be8443_0 [secure secure:8443]',
      'services: use_backend if url_web80_0 -> web-be80_0 [web web:80 x3]',
      'services: default_backend -> web-be80_0 [web web:80 x3]',
      'tcpFE_6379: default_backend -> redis-be6379_0 [redis redis:6379]',
      'service_9443: use_backend if sni_tls-api443-1 srcPort_tls-api9443_0 -> tls-api-be443_0 [tls-api tls-api:443]',
    ])
  })
})
