import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {compareConfigs} from '../../../src/lib/haproxy/compare.js'
import type {Route, RouteMatch} from '../../../src/lib/haproxy/model.js'
import {parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'
import type {CfgResult, ReplicaCfg} from '../../../src/lib/inspect/cfg.js'
import {describeMatch, renderCfg} from '../../../src/lib/inspect/render.js'
import {colour} from '../../../src/lib/ui/output.js'
import {CFG, CFG_TWO_ROUTES} from '../../helpers/haproxy-cfgs.js'
import {withoutColour} from '../../helpers/fixtures.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8')
const BASE: Route = parseHaproxyConfig(CFG).routes[0]
const EMPTY: RouteMatch = {paths: [], excludedPaths: [], domains: [], srcPorts: [], headers: [], userAgents: [], sni: [], other: []}
const routeWith = (match: Partial<RouteMatch>, overrides: Partial<Route> = {}): Route => ({...BASE, ...overrides, match: {...EMPTY, ...match}})

const row = (task: string, node: string, text: string): ReplicaCfg => ({node, task, taskId: `${task}-id`, state: 'running', text, bytes: Buffer.byteLength(text), config: parseHaproxyConfig(text)})
const failed = (task: string, node: string, error: string): ReplicaCfg => ({node, task, taskId: `${task}-id`, state: 'running', error})

/** A CfgResult as inspectCfg makes it, from rows. */
function resultOf(replicas: ReplicaCfg[], masked = 0): CfgResult {
  const readable = replicas.filter((r) => r.text !== undefined)
  const byText = new Map<string, string[]>()
  for (const r of readable) byText.set(r.text!, [...(byText.get(r.text!) ?? []), r.task])
  const groups = [...byText].map(([text, tasks]) => ({replicas: tasks, bytes: Buffer.byteLength(text)})).sort((a, b) => b.replicas.length - a.replicas.length)
  return {
    proxy: 'proxy', replicas, read: readable.length, desired: replicas.length, identical: groups.length <= 1, groups, masked,
    notRead: replicas.filter((r) => r.error).map((r) => ({task: r.task, taskId: r.taskId, node: r.node, state: r.state, reason: r.error!})),
    ...(readable.length > 1 ? {comparison: compareConfigs(readable.map((r) => ({label: r.task, text: r.text!})))} : {}),
  }
}

describe('inspect/render', () => {
  withoutColour(colour)

  describe('describeMatch', () => {
    it('says a path match as HAProxy writes it: criterion then values', () => {
      expect(describeMatch(routeWith({paths: [{match: 'path_beg', flags: [], values: ['/demo', '/api']}]}))).to.equal('path_beg /demo /api')
    })

    it('puts flags before values', () => {
      expect(describeMatch(routeWith({paths: [{match: 'path_reg', flags: ['-i'], values: ['^/demo/.*$']}]}))).to.equal('path_reg -i ^/demo/.*$')
    })

    it('says excluded paths with "not"', () => {
      expect(describeMatch(routeWith({paths: [{match: 'path_beg', flags: [], values: ['/demo']}], excludedPaths: [{match: 'path_beg', flags: [], values: ['/demo/admin', '/demo/x']}]}))).to.equal(
        'path_beg /demo and not path_beg /demo/admin /demo/x',
      )
    })

    it('says domains', () => {
      expect(describeMatch(routeWith({domains: [{match: 'hdr_beg(host)', flags: ['-i'], values: ['example.com', 'www.example.com']}]}))).to.equal('hdr_beg(host) -i example.com www.example.com')
    })

    it('says the proxy\'s ports as "port N"', () => {
      expect(describeMatch(routeWith({srcPorts: [8080, 8443]}))).to.equal('port 8080 and port 8443')
    })

    it('says sni matches with "sni"', () => {
      expect(describeMatch(routeWith({sni: [{match: 'req_ssl_sni', flags: ['-i'], values: ['api.example.com']}]}))).to.equal('sni req_ssl_sni -i api.example.com')
    })

    it('joins every kind with "and", in a fixed order', () => {
      const route = routeWith({
        other: ['{ ssl_fc }'],
        sni: [{match: 'req_ssl_sni', flags: [], values: ['a']}],
        userAgents: [{match: 'hdr_sub(User-Agent)', flags: ['-i'], values: ['curl']}],
        headers: [{match: 'hdr(X-Version)', flags: [], values: ['2']}],
        srcPorts: [80],
        domains: [{match: 'hdr_dom(host)', flags: [], values: ['b']}],
        excludedPaths: [{match: 'path_beg', flags: [], values: ['/x/y']}],
        paths: [{match: 'path_beg', flags: [], values: ['/x']}],
      })
      expect(describeMatch(route)).to.equal('path_beg /x and not path_beg /x/y and hdr_dom(host) b and port 80 and hdr(X-Version) 2 and hdr_sub(User-Agent) -i curl and sni req_ssl_sni a and { ssl_fc }')
    })

    it('says "(default)" for a default_backend with nothing to match', () => {
      expect(describeMatch(routeWith({}, {rule: 'default_backend', condition: null}))).to.equal('(default)')
    })

    it('falls back to the condition as written when nothing in it could be classified', () => {
      const condition = {keyword: 'if' as const, text: 'undefined_acl', acls: [{name: 'undefined_acl', negated: false, defined: false}], hasOr: false}
      expect(describeMatch(routeWith({}, {condition}))).to.equal('undefined_acl')
      expect(describeMatch(routeWith({}, {condition: null}))).to.equal('')
    })

    it('describes the routes of a real file', () => {
      const routes = parseHaproxyConfig(fixture('current-many.cfg')).routes
      expect(routes.map((r) => describeMatch(r))).to.deep.equal([
        'path_beg /shop and hdr_beg(host) -i shop.example.com www.shop.example.com and port 8081',
        'path_beg /api and hdr(X-Version) 2',
        'path_beg /cart',
        'path_beg /demo /hello and not path_beg /demo/admin and hdr_end(host) -i .example.com',
        'path_beg /demo and hdr_sub(User-Agent) -i android iphone',
        'path_beg /secure and port 80',
        'path_beg /secure and port 443',
        'path_beg /',
        '(default)',
        '(default)',
        'port 9443 and sni req_ssl_sni -i -m beg api.',
      ])
    })

    it('describes anonymous, predefined and negated ACLs from a file', () => {
      const text = CFG.replace(
        'use_backend go-demo-be8080_0 if url_go-demo8080_0',
        'use_backend go-demo-be8080_0 if { ssl_fc }\n    use_backend go-demo-be8080_0 if TRUE\n    use_backend go-demo-be8080_0 if !url_go-demo8080_0\n    use_backend go-demo-be8080_0 if nowhere',
      )
      expect(parseHaproxyConfig(text).routes.map((r) => describeMatch(r))).to.deep.equal(['{ ssl_fc }', 'TRUE', 'not path_beg /demo', 'nowhere'])
    })
  })

  describe('renderCfg', () => {
    it('shows identical replicas once: who, size, frontends and routes', () => {
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', CFG), row('proxy.2', 'node-2', CFG)]))
      expect(out).to.equal(
        [
          'proxy: 2 of 2 replica(s) read, identical',
          '',
          `proxy.1 (node-1), proxy.2 (node-2)  ${Buffer.byteLength(CFG)} bytes`,
          'FRONTEND   BINDS         MODE',
          'services   *:80, *:443   http',
          'FRONTEND   CONDITION        BACKEND            SERVERS        SERVICE',
          'services   path_beg /demo   go-demo-be8080_0   go-demo:8080   go-demo:8080',
        ].join('\n'),
      )
    })

    it('does not call a single replica identical', () => {
      expect(renderCfg(resultOf([row('proxy.1', 'node-1', CFG)])).split('\n')[0]).to.equal('proxy: 1 of 1 replica(s) read')
    })

    it('shows each differing group, the failed replicas, then the drift and the diff', () => {
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', CFG_TWO_ROUTES), row('proxy.2', 'node-2', CFG), failed('proxy.3', 'node-3', 'cannot reach the engine of node node-3'), row('proxy.4', 'node-4', CFG_TWO_ROUTES)]))
      expect(out).to.equal(
        [
          'proxy: 3 of 4 replica(s) read, 2 different files',
          '',
          `proxy.1 (node-1), proxy.4 (node-4)  ${Buffer.byteLength(CFG_TWO_ROUTES)} bytes`,
          'FRONTEND   BINDS         MODE',
          'services   *:80, *:443   http',
          'FRONTEND   CONDITION        BACKEND            SERVERS        SERVICE',
          'services   path_beg /demo   go-demo-be8080_0   go-demo:8080   go-demo:8080',
          'services   path_beg /api    api-be8080_0       api:8080       api:8080',
          '',
          `proxy.2 (node-2)  ${Buffer.byteLength(CFG)} bytes`,
          'FRONTEND   BINDS         MODE',
          'services   *:80, *:443   http',
          'FRONTEND   CONDITION        BACKEND            SERVERS        SERVICE',
          'services   path_beg /demo   go-demo-be8080_0   go-demo:8080   go-demo:8080',
          '',
          'proxy.3 (node-3): cannot reach the engine of node node-3',
          '',
          'Drift between replicas:',
          '  api-be8080_0 (if url_api8080_0): missing on proxy.2',
          '',
          '===================================================================',
          '--- proxy.1',
          '+++ proxy.2',
          '@@ -11,13 +11,7 @@',
          ' ',
          '     acl url_go-demo8080_0 path_beg /demo',
          '     use_backend go-demo-be8080_0 if url_go-demo8080_0',
          '-    acl url_api8080_0 path_beg /api',
          '-    use_backend api-be8080_0 if url_api8080_0',
          ' ',
          ' backend go-demo-be8080_0',
          '     mode http',
          '     server go-demo go-demo:8080',
          '-',
          '-backend api-be8080_0',
          '-    mode http',
          '-    server api api:8080',
        ].join('\n'),
      )
    })

    it('says how many versions of a backend there are, and whose', () => {
      const checked = CFG.replace('server go-demo go-demo:8080', 'server go-demo go-demo:8080 check')
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', CFG), row('proxy.2', 'node-2', checked), row('proxy.3', 'node-3', CFG)]))
      const drift = out.slice(out.indexOf('Drift between replicas:'))
      expect(drift.split('\n').slice(0, 2)).to.deep.equal(['Drift between replicas:', '  backend go-demo-be8080_0: 2 versions (proxy.1, proxy.3 | proxy.2)'])
      expect(out).to.include('-    server go-demo go-demo:8080\n+    server go-demo go-demo:8080 check')
    })

    it('shows a replica that could not be read, and no drift section without two readable ones', () => {
      const out = renderCfg(resultOf([failed('proxy.1', 'node-1', 'timed out'), row('proxy.2', 'node-2', CFG)]))
      expect(out.split('\n')[0]).to.equal('proxy: 1 of 2 replica(s) read')
      expect(out.endsWith('\n\nproxy.1 (node-1): timed out')).to.equal(true)
      expect(out).to.not.include('Drift')
    })

    it('shows that nothing could be read', () => {
      expect(renderCfg(resultOf([failed('proxy.1', 'node-1', 'boom'), failed('proxy.2', 'node-2', 'bang')]))).to.equal(
        'proxy: 0 of 2 replica(s) read\n\nproxy.1 (node-1): boom\n\nproxy.2 (node-2): bang',
      )
    })

    it('says how many passwords were masked, last', () => {
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', CFG)], 3))
      expect(out.split('\n').slice(-2)).to.deep.equal(['', '3 password(s) masked; --show-secrets prints them.'])
      expect(renderCfg(resultOf([row('proxy.1', 'node-1', CFG)], 0))).to.not.include('masked')
    })

    it('says a file with only the placeholder has no routes', () => {
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', fixture('current-dummy.cfg'))]))
      expect(out.split('\n').at(-1)).to.equal("(no routes: only the proxy's placeholder)")
    })

    it('marks a route to a missing backend, counts server-template slots, and lists the parser\'s problems', () => {
      const text = CFG.replace('use_backend go-demo-be8080_0 if url_go-demo8080_0', 'use_backend go-demo-be8080_0 if url_go-demo8080_0\n    use_backend gone-be80_0 if url_go-demo8080_0').replace(
        'server go-demo go-demo:8080',
        'server-template go-demo 3 go-demo:8080 check',
      )
      const out = renderCfg(resultOf([row('proxy.1', 'node-1', text)]))
      expect(out.split('\n').slice(5)).to.deep.equal([
        'FRONTEND   CONDITION        BACKEND                 SERVERS           SERVICE',
        'services   path_beg /demo   go-demo-be8080_0        go-demo:8080 x3   go-demo:8080',
        'services   path_beg /demo   gone-be80_0 (missing)',
        'line 14: frontend "services" routes to backend "gone-be80_0", which is not defined',
      ])
    })

    it('colours drift and failures when colour is on', () => {
      colour.level = 1
      try {
        const out = renderCfg(resultOf([row('proxy.1', 'node-1', CFG_TWO_ROUTES), row('proxy.2', 'node-2', CFG), failed('proxy.3', 'node-3', 'boom')], 1))
        expect(out).to.include('\u001B[31m2 different files\u001B[39m')
        expect(out).to.include('\u001B[31mproxy.3 (node-3): boom\u001B[39m')
        expect(out).to.include('\u001B[1mDrift between replicas:\u001B[22m')
        expect(out).to.include('\u001B[2m1 password(s) masked; --show-secrets prints them.\u001B[22m')
      } finally {
        colour.level = 0
      }
    })
  })
})
