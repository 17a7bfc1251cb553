import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import type {HaproxyConfig} from '../../../src/lib/haproxy/model.js'
import {configText, parseHaproxyConfig, sectionDirectives} from '../../../src/lib/haproxy/parse.js'
import {cond, list, match, naming, route, server} from '../../helpers/haproxy-routes.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8')
const FIXTURES = ['book-single.cfg', 'book-several.cfg', 'current-single.cfg', 'current-many.cfg', 'current-dummy.cfg', 'current-baked.cfg', 'hand-edited-crlf.cfg']

function sectionNames(config: HaproxyConfig): string[] {
  return config.sections.map((s) => (s.name === null ? s.keyword : `${s.keyword} ${s.name}`))
}

function nonBlank(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '')
}

describe('parseHaproxyConfig', () => {
  describe('keeps every byte', () => {
    for (const name of FIXTURES) {
      it(`${name}: the raw lines rebuild the file, each line once and in order`, () => {
        const text = fixture(name)
        const config = parseHaproxyConfig(text)
        expect(configText(config)).to.equal(text)
        const numbers = [...config.preamble, ...config.sections.flatMap((s) => [s.header, ...s.lines])].map((l) => l.number)
        expect(numbers).to.deep.equal(numbers.map((_, i) => i + 1))
      })
    }

    it('keeps a missing final newline, CRLF and a lone last line', () => {
      for (const text of ['frontend a\n    bind *:80', 'frontend a\r\n    bind *:80\r\n', 'frontend a\r\n    bind *:80\n', 'global', '', '\n', '\r\n\r\n']) {
        expect(configText(parseHaproxyConfig(text))).to.equal(text)
      }

      expect(parseHaproxyConfig('global\n    daemon').finalNewline).to.equal(false)
      expect(parseHaproxyConfig('global\n    daemon\n').finalNewline).to.equal(true)
      expect(parseHaproxyConfig('global\r\n').lineEnding).to.equal('crlf')
      expect(parseHaproxyConfig('global\r\n    daemon\n').lineEnding).to.equal('mixed')
      expect(parseHaproxyConfig('global').lineEnding).to.equal('none')
    })
  })

  describe('book era (vfarcic/docker-flow-proxy, no _N suffix)', () => {
    it("reads the book's example: one route to go-demo", () => {
      const text = fixture('book-single.cfg')
      const config = parseHaproxyConfig(text)
      expect(config.generation).to.equal('book')
      expect(config.finalNewline).to.equal(false)
      expect(config.problems).to.deep.equal([])
      expect(sectionNames(config)).to.deep.equal(['global', 'defaults', 'frontend services', 'backend go-demo-be8080'])
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'services', backend: 'go-demo-be8080', line: 53, condition: cond('url_go-demo8080'),
          servers: [server('go-demo', 'go-demo:8080')],
          match: match({paths: [list('path_beg', ['/demo'])]}),
          naming: naming({generation: 'book', aclName: 'go-demo', serviceName: 'go-demo', port: 8080}),
        }),
      ])
    })

    it('holds, in order, the lines the walkthrough expects (step 5)', () => {
      const expected = [
        'frontend services', '    bind *:80', '    bind *:443', '    mode http', '    acl url_go-demo8080 path_beg /demo',
        '    use_backend go-demo-be8080 if url_go-demo8080', 'backend go-demo-be8080', '    mode http', '    server go-demo go-demo:8080',
      ]
      const text = fixture('book-single.cfg')
      expect(nonBlank(text.slice(text.indexOf('frontend services')))).to.deep.equal(expected)
    })

    it('reads several services: digits in a name, aclName other than the service, a domain, a tcp frontend', () => {
      const config = parseHaproxyConfig(fixture('book-several.cfg'))
      expect(config.generation).to.equal('book')
      expect(config.problems).to.deep.equal([])
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'services', backend: 'shop-be8080', line: 54, condition: cond('url_01-shop8080 domain_01-shop'),
          servers: [server('shop', 'shop:8080')],
          match: match({paths: [list('path_beg', ['/shop'])], domains: [list('hdr_end(host)', ['.example.com'], ['-i'])]}),
          naming: naming({generation: 'book', aclName: '01-shop', serviceName: 'shop', port: 8080}),
        }),
        route({
          frontend: 'services', backend: 'api2-be8080', line: 56, condition: cond('url_api28080'),
          servers: [server('api2', 'api2:8080')],
          match: match({paths: [list('path_beg', ['/api', '/v2/api'])]}),
          naming: naming({generation: 'book', aclName: 'api2', serviceName: 'api2', port: 8080}),
        }),
        route({
          frontend: 'services', backend: 'go-demo-be8080', line: 58, condition: cond('url_go-demo8080'),
          servers: [server('go-demo', 'go-demo:8080')],
          match: match({paths: [list('path_beg', ['/demo'])]}),
          naming: naming({generation: 'book', aclName: 'go-demo', serviceName: 'go-demo', port: 8080}),
        }),
        route({
          frontend: 'redis_6379', frontendMode: 'tcp', rule: 'default_backend', backend: 'redis-be6379', backendMode: 'tcp', line: 63,
          servers: [server('redis', 'redis:6379')],
          naming: naming({generation: 'book', reqMode: 'tcp', serviceName: 'redis', port: 6379, srcPort: 6379}),
        }),
      ])
    })
  })

  describe('current generation (docker-flow/docker-flow-proxy, _N suffix)', () => {
    it('reads the route measured in anchors §7, in a file without a final newline', () => {
      const text = fixture('current-single.cfg')
      const config = parseHaproxyConfig(text)
      expect(text.endsWith('server go-demo go-demo:8080')).to.equal(true)
      expect(config.finalNewline).to.equal(false)
      expect(config.generation).to.equal('current')
      expect(config.problems).to.deep.equal([])
      expect(sectionNames(config)).to.deep.equal(['global', 'resolvers docker', 'defaults', 'frontend services', 'backend go-demo-be8080_0'])
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'services', backend: 'go-demo-be8080_0', line: 57, condition: cond('url_go-demo8080_0'),
          servers: [server('go-demo', 'go-demo:8080')],
          match: match({paths: [list('path_beg', ['/demo'])]}),
          naming: naming({generation: 'current', aclName: 'go-demo', serviceName: 'go-demo', port: 8080, index: 0}),
        }),
      ])
    })

    it('has the routing part of §7 verbatim once runs of blank lines are folded', () => {
      const text = fixture('current-single.cfg')
      const routing = text.slice(text.indexOf('frontend services')).replace(/\n{3,}/g, '\n\n')
      expect(routing).to.equal(`frontend services
    bind *:80
    bind *:443
    mode http
    option  forwardfor

    acl url_go-demo8080_0 path_beg /demo
    use_backend go-demo-be8080_0 if url_go-demo8080_0

backend go-demo-be8080_0
    mode http
    http-request add-header X-Forwarded-Proto https if { ssl_fc }
    server go-demo go-demo:8080`)
      expect(text).to.match(/use_backend go-demo-be8080_0 if url_go-demo8080_0\n{6}backend/)
    })

    it('reads the frontend and backend of that route', () => {
      const config = parseHaproxyConfig(fixture('current-single.cfg'))
      const [frontend] = config.frontends
      expect(frontend.binds.map((b) => [b.address, b.host, b.port, b.ssl])).to.deep.equal([['*:80', '*', '80', false], ['*:443', '*', '443', false]])
      expect(frontend.mode).to.equal('http')
      expect(frontend.acls).to.deep.equal([{name: 'url_go-demo8080_0', criterion: 'path_beg', flags: [], values: ['/demo'], line: 56}])
      expect(frontend.other).to.deep.equal([{line: 54, text: 'option  forwardfor'}])
      const [backend] = config.backends
      expect(backend.httpRequests).to.deep.equal([{line: 65, text: 'http-request add-header X-Forwarded-Proto https if { ssl_fc }'}])
      expect(backend.servers).to.deep.equal([{name: 'go-demo', address: 'go-demo:8080', host: 'go-demo', port: 8080, options: [], line: 66}])
      const defaults = config.sections.find((s) => s.keyword === 'defaults')!
      expect(sectionDirectives(defaults).map((d) => d.text)).to.include.members(['option  http-keep-alive', 'timeout tunnel  3600s', 'stats auth admin:admin'])
    })

    it('reads many services: paths, exclusions, domains, srcPort, headers, user agents, https, auth, sticky, DNS, tcp, sni', () => {
      const config = parseHaproxyConfig(fixture('current-many.cfg'))
      expect(config.generation).to.equal('current')
      expect(config.problems).to.deep.equal([])
      const http = {generation: 'current' as const, port: 8080, index: 0}
      const secureAuth = [{userlist: 'secureUsers', realm: 'secureRealm', users: ['admin']}]
      const web = {
        servers: [{name: 'web', address: 'web:80', count: 3, template: true, options: ['check']}],
        naming: naming({generation: 'current', aclName: 'web', serviceName: 'web', port: 80, index: 0}),
      }
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'services', backend: '01-shop-be8080_0', line: 60, condition: cond('url_01-shop8080_0 domain_01-shop8080_0 srcPort_01-shop8081_0'),
          servers: [server('shop', 'shop:8080')],
          match: match({paths: [list('path_beg', ['/shop'])], domains: [list('hdr_beg(host)', ['shop.example.com', 'www.shop.example.com'], ['-i'])], srcPorts: [8081]}),
          naming: naming({...http, aclName: '01-shop', serviceName: 'shop', srcPort: 8081}),
        }),
        route({
          frontend: 'services', backend: 'api2-be8080_0', line: 63, condition: cond('url_api28080_0 hdr_api28080_0'),
          servers: [server('api2', 'api2:8080')],
          match: match({paths: [list('path_beg', ['/api'])], headers: [list('hdr(X-Version)', ['2'])]}),
          naming: naming({...http, aclName: 'api2', serviceName: 'api2'}),
        }),
        route({
          frontend: 'services', backend: 'cart-be8080_0', line: 65, condition: cond('url_cart8080_0'), sticky: true,
          servers: [server('cart_0', '10.0.1.5:8080', ['check', 'cookie', 'cart_0']), server('cart_1', '10.0.1.6:8080', ['check', 'cookie', 'cart_1'])],
          match: match({paths: [list('path_beg', ['/cart'])]}),
          naming: naming({...http, aclName: 'cart', serviceName: 'cart'}),
        }),
        route({
          frontend: 'services', backend: 'go-demo-be8080_1', line: 71, condition: cond('url_go-demo8080_1 !url_exclude_go-demo8080_1 domain_go-demo8080_1'),
          servers: [server('go-demo', 'go-demo:8080')],
          match: match({
            paths: [list('path_beg', ['/demo', '/hello'])], excludedPaths: [list('path_beg', ['/demo/admin'])], domains: [list('hdr_end(host)', ['.example.com'], ['-i'])],
          }),
          naming: naming({...http, aclName: 'go-demo', serviceName: 'go-demo', index: 1}),
        }),
        route({
          frontend: 'services', backend: 'go-demo-be8080_2', line: 72, condition: cond('url_go-demo8080_2 user_agent_go-demo_mobile_2'),
          servers: [server('go-demo', 'go-demo:8080')],
          match: match({paths: [list('path_beg', ['/demo'])], userAgents: [list('hdr_sub(User-Agent)', ['android', 'iphone'], ['-i'])]}),
          naming: naming({...http, aclName: 'go-demo', serviceName: 'go-demo', index: 2}),
        }),
        route({
          frontend: 'services', backend: 'secure-be8080_0', line: 77, condition: cond('url_secure8080_0 srcPort_secure80_0'), auth: secureAuth,
          servers: [server('secure', 'secure:8080')],
          match: match({paths: [list('path_beg', ['/secure'])], srcPorts: [80]}),
          naming: naming({...http, aclName: 'secure', serviceName: 'secure', srcPort: 80}),
        }),
        route({
          frontend: 'services', backend: 'https-secure-be8443_0', line: 78, condition: cond('url_https_secure8443_0 srcHttpsPort_secure443_0'), auth: secureAuth,
          servers: [server('secure', 'secure:8443')],
          match: match({paths: [list('path_beg', ['/secure'])], srcPorts: [443]}),
          naming: naming({...http, port: 8443, aclName: 'secure', serviceName: 'secure', srcPort: 443, https: true}),
        }),
        route({frontend: 'services', backend: 'web-be80_0', line: 80, condition: cond('url_web80_0'), match: match({paths: [list('path_beg', ['/'])]}), ...web}),
        route({frontend: 'services', rule: 'default_backend', backend: 'web-be80_0', line: 81, ...web}),
        route({
          frontend: 'tcpFE_6379', frontendMode: 'tcp', rule: 'default_backend', backend: 'redis-be6379_0', backendMode: 'tcp', line: 86,
          servers: [server('redis', 'redis:6379')],
          naming: naming({generation: 'current', reqMode: 'tcp', aclName: 'redis', serviceName: 'redis', port: 6379, index: 0, srcPort: 6379}),
        }),
        route({
          frontend: 'service_9443', frontendMode: 'tcp', backend: 'tls-api-be443_0', backendMode: 'tcp', line: 95, condition: cond('sni_tls-api443-1 srcPort_tls-api9443_0'),
          servers: [server('tls-api', 'tls-api:443')],
          match: match({sni: [list('req_ssl_sni', ['api.'], ['-i', '-m beg'])], srcPorts: [9443]}),
          naming: naming({generation: 'current', reqMode: 'sni', aclName: 'tls-api', serviceName: 'tls-api', port: 443, index: 0, srcPort: 9443}),
        }),
      ])
    })

    it('reads binds with their ssl options, the userlist without passwords, and the backends', () => {
      const config = parseHaproxyConfig(fixture('current-many.cfg'))
      const services = config.frontends.find((f) => f.name === 'services')!
      expect(services.binds.map((b) => ({address: b.address, options: b.options, ssl: b.ssl}))).to.deep.equal([
        {address: '*:80', options: [], ssl: false},
        {address: '*:443', options: ['ssl', 'crt-list', '/cfg/crt-list.txt', 'alpn', 'h2,http/1.1'], ssl: true},
        {address: '*:8081', options: [], ssl: false},
      ])
      expect(config.frontends.map((f) => `${f.name} ${f.mode}`)).to.deep.equal(['services http', 'tcpFE_6379 tcp', 'service_9443 tcp'])
      expect(config.userlists).to.deep.equal([{name: 'secureUsers', line: 150, users: ['admin'], groups: []}])
      const {userlists, routes, frontends, backends} = config
      expect(JSON.stringify({userlists, routes, frontends, backends})).not.to.include('s3cret')
      const cart = config.backends.find((b) => b.name === 'cart-be8080_0')!
      expect(cart.cookie).to.deep.equal({name: 'cart', options: ['insert', 'indirect', 'nocache']})
      expect(cart.balance).to.equal('roundrobin')
      const web = config.backends.find((b) => b.name === 'web-be80_0')!
      expect(web.serverTemplates).to.deep.equal([{prefix: 'web', count: 3, address: 'web:80', host: 'web', port: 80, options: ['check'], line: 179}])
      const secure = config.backends.find((b) => b.name === 'secure-be8080_0')!
      expect(secure.httpRequests.map((r) => r.text)).to.deep.equal([
        'http-request redirect scheme https if !{ ssl_fc }',
        'http-request add-header X-Forwarded-Proto https if { ssl_fc }',
        'http-request auth realm secureRealm if !secureUsersAcl',
        'http-request del-header Authorization',
      ])
      expect(secure.acls).to.deep.equal([{name: 'secureUsersAcl', criterion: 'http_auth(secureUsers)', flags: [], values: [], line: 159}])
    })

    it('flags the dummy route of a proxy without services as a placeholder', () => {
      const config = parseHaproxyConfig(fixture('current-dummy.cfg'))
      expect(config.generation).to.equal('unknown')
      expect(config.problems).to.deep.equal([])
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'services', backend: 'dummy-be', line: 59, condition: cond('url_dummy'), placeholder: true,
          servers: [server('dummy', '1.1.1.1:1111', ['check'])], match: match({paths: [list('path_beg', ['/dummy'])]}),
        }),
      ])
    })

    it("reads the file baked into the image (what /cfg/haproxy.cfg holds before the first route)", () => {
      const config = parseHaproxyConfig(fixture('current-baked.cfg'))
      expect(config.finalNewline).to.equal(true)
      expect(sectionNames(config)).to.deep.equal(['global', 'defaults', 'frontend dummy-fe', 'backend dummy-be'])
      expect(config.routes).to.deep.equal([
        route({
          frontend: 'dummy-fe', backend: 'dummy-be', line: 33, condition: cond('url_dummy'), placeholder: true,
          servers: [server('dummy', '127.0.0.1:1111')], match: match({paths: [list('path_beg', ['/dummy'])]}),
        }),
      ])
      expect(config.frontends[0].other.map((o) => o.text)).to.deep.equal(['option  forwardfor', 'option http-server-close'])
    })
  })

  describe('a file edited by hand (CRLF, tabs, comments, more sections)', () => {
    const text = fixture('hand-edited-crlf.cfg')
    const config = parseHaproxyConfig(text)

    it('is really CRLF on disk', () => {
      expect(text.split('\r\n')).to.have.length(59)
      expect(config.lineEnding).to.equal('crlf')
      expect(config.finalNewline).to.equal(true)
    })

    it('keeps the comment before the first section and every section in order', () => {
      expect(config.preamble.map((l) => l.text)).to.deep.equal(['# haproxy.cfg edited by hand on node-2'])
      expect(sectionNames(config)).to.deep.equal([
        'global', 'resolvers docker', 'peers mypeers', 'cache pages', 'program logger', 'defaults',
        'frontend services', 'backend go-demo-be8080_0', 'listen tcpListen_db_5432', 'frontend stats', 'backend stats',
      ])
      expect(config.sections.every((s) => s.known)).to.equal(true)
      const peers = config.sections.find((s) => s.keyword === 'peers')!
      expect(peers.lines.map((l) => l.text)).to.deep.equal(['\tpeer proxy-1 10.0.0.11:10000', '\tpeer proxy-2 10.0.0.12:10000', ''])
      expect(peers.lines.map((l) => l.eol)).to.deep.equal(['\r\n', '\r\n', '\r\n'])
    })

    it('drops inline comments from what it reads, not from the raw lines', () => {
      const services = config.frontends.find((f) => f.name === 'services')!
      expect(services.useBackends[0]).to.deep.equal({backend: 'go-demo-be8080_0', condition: cond('url_go-demo8080_0'), line: 34})
      expect(services.other.map((o) => o.text)).to.deep.equal(['option  forwardfor', 'http-request cache-use pages'])
      const defaults = config.sections.find((s) => s.keyword === 'defaults')!
      expect(sectionDirectives(defaults).map((d) => d.text)).to.include('timeout connect 5s')
      expect(defaults.lines.map((l) => l.text)).to.include('\ttimeout connect 5s   # was 10s')
    })

    it('routes a listen section to its own servers and a stats frontend to its backend', () => {
      expect(config.routes.slice(3)).to.deep.equal([
        route({
          frontend: 'tcpListen_db_5432', frontendMode: 'tcp', rule: 'listen', backend: 'tcpListen_db_5432', backendMode: 'tcp', line: 45,
          servers: [server('db-postgres5432_0', '10.0.2.5:5432', ['check']), server('db-postgres5432_1', '10.0.2.6:5432', ['check'])],
          naming: naming({reqMode: 'tcp'}),
        }),
        route({frontend: 'stats', rule: 'default_backend', backend: 'stats', line: 54}),
      ])
    })

    it('reports a route to a missing backend and an ACL that is never defined, and still lists both routes', () => {
      expect(config.problems).to.deep.equal([
        {line: 37, message: 'frontend "services" routes to backend "beta-be8080_0", which is not defined'},
        {line: 38, message: 'frontend "services" uses ACL "url_gamma8080_0", which is not defined'},
      ])
      const [, beta, gamma] = config.routes
      expect(beta).to.deep.include({backend: 'beta-be8080_0', backendFound: false, backendMode: null, servers: []})
      expect(beta.naming).to.deep.equal(naming({generation: 'current', aclName: 'beta', port: 8080, index: 0}))
      expect(gamma.condition).to.deep.equal({keyword: 'if', text: 'url_gamma8080_0', acls: [{name: 'url_gamma8080_0', negated: false, defined: false}], hasOr: false})
      expect(gamma.match).to.deep.equal(match())
    })
  })


  describe('odd input', () => {
    const odd = [
      '', '\n', '\r\n', '   ', '#', 'frontend', 'use_backend x', 'acl', 'backend\n  server', 'frontend f\n  use_backend b if {',
      'frontend f\n  use_backend b if ! ! || or {  }', 'frontend f\n  acl a "unclosed', 'frontend f\n  bind [::', 'frontend f\n  bind ,,,',
      'listen l\n  server s \\', '\u0000\u0001\u00ff', 'frontend f\n  use_backend %[req.hdr(host),lower] if TRUE',
      'backend b\n  server-template s 1-3 s:80\n  server-template t 0x x', 'x\ry\rz', 'frontend f\r\n\tacl a path_beg\r\n\tuse_backend b if a a a',
    ]
    for (const text of odd) {
      it(`never throws on ${JSON.stringify(text)} and rebuilds it`, () => {
        const parsed = parseHaproxyConfig(text)
        expect(configText(parsed)).to.equal(text)
        expect(() => JSON.stringify(parsed)).not.to.throw()
      })
    }

    it('reads a server-template range and a dynamic backend name without a problem for it', () => {
      expect(parseHaproxyConfig('backend b\n  server-template s 1-3 s:80').backends[0].serverTemplates[0].count).to.equal(3)
      expect(parseHaproxyConfig('frontend f\n  use_backend %[req.hdr(host),lower] if TRUE').problems).to.deep.equal([])
    })
  })
})
