import {expect} from 'chai'

import {configGeneration, decodeNaming, dfpReqMode, isDomainAcl, isPlaceholder, unknownNaming} from '../../../src/lib/haproxy/dfp-naming.js'
import type {Backend, BackendRule, Frontend, HaproxyConfig, Route} from '../../../src/lib/haproxy/model.js'
import {parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'
import {cond, list, match, naming, route} from '../../helpers/haproxy-routes.js'

function frontend(fields: Partial<Frontend> = {}): Frontend {
  return {kind: 'frontend', name: 'services', line: 1, mode: 'http', binds: [], acls: [], useBackends: [], defaultBackend: null, other: [], ...fields}
}

function backend(name: string, servers: [string, number][] = [], fields: Partial<Backend> = {}): Backend {
  return {
    kind: 'backend', name, line: 10, mode: 'http', balance: null, serverTemplates: [], cookie: null, acls: [], httpRequests: [], auth: [], other: [],
    servers: servers.map(([server, port]) => ({name: server, address: `${server}:${port}`, host: server, port, options: [], line: 11})),
    ...fields,
  }
}

function rule(backendName: string, condition: string | null = null): BackendRule {
  return {backend: backendName, condition: condition === null ? null : cond(condition), line: 5}
}

describe('dfp-naming', () => {
  describe('through parseHaproxyConfig: names that end in digits', () => {
    const config = (lines: string): HaproxyConfig => parseHaproxyConfig(`defaults\n    mode http\n\nfrontend services\n    bind *:80\n${lines}`)

    it('takes the port from the backend name: url_api28080_0 is api2 on 8080', () => {
      const parsed = config('    acl url_api28080_0 path_beg /api\n    use_backend api2-be8080_0 if url_api28080_0\n\nbackend api2-be8080_0\n    server api2 api2:8080\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api2', serviceName: 'api2', port: 8080, index: 0}))
    })

    it('does the same for the book naming, and for a port that itself looks like part of the name', () => {
      const book = config('    acl url_api28080 path_beg /api\n    use_backend api2-be8080 if url_api28080\n\nbackend api2-be8080\n    server api2 api2:8080\n')
      expect(book.routes[0].naming).to.deep.equal(naming({generation: 'book', aclName: 'api2', serviceName: 'api2', port: 8080}))
      const api = config('    acl url_api28080_3 path_beg /api\n    use_backend api-be28080_3 if url_api28080_3\n\nbackend api-be28080_3\n    server api api:28080\n')
      expect(api.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api', serviceName: 'api', port: 28080, index: 3}))
    })

    it('falls back to the server line when the backend is not named the proxy way', () => {
      const parsed = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server api2 api2:8080 check\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api2', serviceName: 'api2', port: 8080, index: 0}))
    })

    it('does not guess when neither the backend name nor one server port tells', () => {
      const noServer = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    mode http\n')
      expect(noServer.routes[0].naming).to.deep.equal(naming({}))
      const twoPorts = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server a a:8080\n    server b b:28080\n')
      expect(twoPorts.routes[0].naming).to.deep.equal(naming({}))
      const wrongPort = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server a a:9090\n')
      expect(wrongPort.routes[0].naming).to.deep.equal(naming({}))
    })

    it('does not call a backend book-era just because its name ends in -be<digits>', () => {
      const parsed = config('    use_backend api-be2 if { path_beg /x }\n\nbackend api-be2\n    server api api:80\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({}))
      expect(parsed.generation).to.equal('unknown')
    })

    it('keeps a "-be" inside a service name', () => {
      const parsed = config('    acl url_my-be-app8080_0 path_beg /app\n    use_backend my-be-app-be8080_0 if url_my-be-app8080_0\n\nbackend my-be-app-be8080_0\n    server my-be-app my-be-app:8080\n')
      expect(parsed.routes[0].naming).to.deep.include({aclName: 'my-be-app', serviceName: 'my-be-app', port: 8080, index: 0})
    })
  })

  describe('decodeNaming', () => {
    it("reads today's http route: the backend carries the aclName, the server the service", () => {
      const decoded = decodeNaming(frontend(), rule('demo-be8080_1', 'url_demo8080_1'), backend('demo-be8080_1', [['go-demo', 8080]]), match())
      expect(decoded).to.deep.equal(naming({generation: 'current', aclName: 'demo', serviceName: 'go-demo', port: 8080, index: 1}))
    })

    it('reads an https- backend and a url_https_ ACL as https', () => {
      const fromBackend = decodeNaming(frontend(), rule('https-demo-be8080_0', 'url_demo8080_0'), undefined, match())
      expect(fromBackend).to.deep.equal(naming({generation: 'current', aclName: 'demo', port: 8080, index: 0, https: true}))
      const fromAcl = decodeNaming(frontend(), rule('demo-be8080_0', 'url_https_demo8080_0'), undefined, match())
      expect(fromAcl).to.deep.equal(naming({generation: 'current', aclName: 'demo', port: 8080, index: 0, https: true}))
    })

    it("reads today's sni route: the backend carries the service, the sni_ ACL the aclName, the frontend the srcPort", () => {
      const sni = match({sni: [list('req_ssl_sni', ['a.example.com'], ['-i'])]})
      const decoded = decodeNaming(frontend({name: 'tcpFE_443', mode: 'tcp'}), rule('db-be5432_0', 'sni_data5432-1'), undefined, sni)
      expect(decoded).to.deep.equal(naming({generation: 'current', reqMode: 'sni', aclName: 'data', serviceName: 'db', port: 5432, index: 0, srcPort: 443}))
    })

    it("reads the book's tcp frontend <service>_<srcPort> without any ACL", () => {
      const decoded = decodeNaming(frontend({name: 'db_5433', mode: 'tcp'}), rule('db-be5432'), backend('db-be5432', [['db', 5432]], {mode: 'tcp'}), match())
      expect(decoded).to.deep.equal(naming({generation: 'book', reqMode: 'tcp', serviceName: 'db', port: 5432, srcPort: 5433}))
    })

    it('takes the srcPort from a single dst_port ACL, and the service from the sticky cookie', () => {
      const sticky = backend('web-be80_0', [['web_1', 80], ['web_2', 80]], {cookie: {name: 'web', options: ['insert']}})
      const decoded = decodeNaming(frontend(), rule('web-be80_0', 'url_web80_0 srcPort_web80_0'), sticky, match({srcPorts: [8080]}))
      expect(decoded).to.deep.equal(naming({generation: 'current', aclName: 'web', serviceName: 'web', port: 80, index: 0, srcPort: 8080}))
    })
  })

  it('unknownNaming keeps only the reqMode', () => {
    expect(unknownNaming('tcp')).to.deep.equal(naming({reqMode: 'tcp'}))
    expect(unknownNaming(null)).to.deep.equal(naming({reqMode: null}))
  })

  it('dfpReqMode: http, tcp, sni for a tcp frontend matching on SNI, else nothing', () => {
    const sni = match({sni: [list('req_ssl_sni', ['a.'])]})
    expect(dfpReqMode(frontend({mode: 'http'}), sni)).to.equal('http')
    expect(dfpReqMode(frontend({mode: 'tcp'}), match())).to.equal('tcp')
    expect(dfpReqMode(frontend({mode: 'tcp'}), sni)).to.equal('sni')
    expect(dfpReqMode(frontend({mode: 'health'}), match())).to.equal(null)
  })

  it('isPlaceholder: dummy-be, alone or behind url_dummy', () => {
    expect(isPlaceholder('dummy-be', null)).to.equal(true)
    expect(isPlaceholder('dummy-be', cond('url_dummy'))).to.equal(true)
    expect(isPlaceholder('dummy-be', cond('url_other'))).to.equal(false)
    expect(isPlaceholder('go-demo-be8080_0', null)).to.equal(false)
  })

  it('isDomainAcl: the proxy names its serviceDomain ACLs domain_...', () => {
    expect(isDomainAcl('domain_go-demo8080_0')).to.equal(true)
    expect(isDomainAcl('url_go-demo8080_0')).to.equal(false)
  })

  it('configGeneration: current over book over unknown, placeholders left out', () => {
    const of = (generation: Route['naming']['generation'], placeholder = false): Route =>
      route({frontend: 'f', backend: 'b', line: 1, naming: naming({generation}), placeholder})
    expect(configGeneration([of('book'), of('current'), of('unknown')])).to.equal('current')
    expect(configGeneration([of('unknown'), of('book')])).to.equal('book')
    expect(configGeneration([of('current', true)])).to.equal('unknown')
    expect(configGeneration([])).to.equal('unknown')
  })
})
