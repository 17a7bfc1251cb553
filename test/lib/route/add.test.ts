import {expect} from 'chai'
import {verify} from 'unixcrypt'

import {UsageError} from '../../../src/lib/core/errors.js'
import {type RouteAddInput, checkRouteInput, routeFromInput} from '../../../src/lib/route/add.js'
import {asInCi} from '../../helpers/fixtures.js'

/** `swarmnet route add go-demo /demo 8080` and nothing else. */
function input(overrides: Partial<RouteAddInput> = {}): RouteAddInput & {service: string; port: string} {
  return {service: 'go-demo', paths: ['/demo'], port: '8080', domains: [], httpsOnly: false, params: [], verify: false, json: false, ...overrides} as RouteAddInput & {service: string; port: string}
}

async function failure(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => expect.fail('should have failed'),
    (error: unknown) => error,
  )
  expect(error).to.be.instanceOf(UsageError)
  return error as UsageError
}

const NO_TERMINAL = 'pass it on the command line (no terminal to ask on)'

describe('routes/add: checking the input', () => {
  asInCi()

  describe('checkRouteInput', () => {
    it('accepts the book\'s route and says it is un-indexed', async () => {
      expect(await checkRouteInput(input())).to.deep.equal({index: 0})
    })

    for (const [portIndex, index] of [['1', 1], ['10', 10], ['01', 1], ['3', 3]] as const) {
      it(`reads --port-index ${portIndex} as ${index}`, async () => {
        expect(await checkRouteInput(input({portIndex}))).to.deep.equal({index})
      })
    }

    for (const portIndex of ['0', '11', 'x', '-1', '1.5', '', ' 1', '1e1']) {
      it(`rejects --port-index ${JSON.stringify(portIndex)}`, async () => {
        const error = await failure(checkRouteInput(input({portIndex})))
        expect(error.message).to.equal(`invalid --port-index "${portIndex}": expected a whole number from 1 to 10`)
      })
    }

    const missing: [string, Partial<RouteAddInput>][] = [
      ['SERVICE', {service: undefined}],
      ['SERVICE', {service: undefined, paths: [], port: undefined}],
      ['PATH', {paths: []}],
      ['PATH', {paths: [], port: undefined}],
      ['PORT', {port: undefined}],
    ]
    for (const [name, overrides] of missing) {
      it(`says ${name} is missing when there is no terminal (${Object.keys(overrides).join(', ')} left out)`, async () => {
        const error = await failure(checkRouteInput(input(overrides)))
        expect(error.message).to.equal(`missing argument ${name}; ${NO_TERMINAL}`)
        expect(error.exitCode).to.equal(2)
      })
    }

    it('never prompts under --json either', async () => {
      const error = await failure(checkRouteInput(input({port: undefined, json: true})))
      expect(error.message).to.equal(`missing argument PORT; ${NO_TERMINAL}`)
    })

    for (const service of ['go demo', '-x', '.x', '_x', 'a/b', 'a:b', '']) {
      it(`rejects SERVICE ${JSON.stringify(service)}`, async () => {
        const error = await failure(checkRouteInput(input({service})))
        expect(error.message).to.equal(`invalid SERVICE "${service}": expected a service name (letters, digits, "_", "." or "-")`)
      })
    }

    it('accepts stack service names', async () => {
      expect(await checkRouteInput(input({service: 'app_go-demo.v2'}))).to.deep.equal({index: 0})
    })

    it('checks SERVICE before --port-index, and both before the route', async () => {
      expect((await failure(checkRouteInput(input({service: 'a b', portIndex: '0', port: '0'})))).message).to.match(/^invalid SERVICE/)
      expect((await failure(checkRouteInput(input({portIndex: '0', port: '0'})))).message).to.match(/^invalid --port-index/)
    })

    it('checks every flag before anything connects', async () => {
      expect((await failure(checkRouteInput(input({port: '0'})))).message).to.equal('invalid PORT "0": expected a port number from 1 to 65535')
      expect((await failure(checkRouteInput(input({paths: ['demo']})))).message).to.equal('invalid PATH "demo": expected a path starting with "/", e.g. /demo')
      expect((await failure(checkRouteInput(input({reqMode: 'udp'})))).message).to.equal('invalid --req-mode "udp": expected one of http, tcp, sni')
      expect((await failure(checkRouteInput(input({users: 'admin'})))).message).to.match(/^invalid --users entry 1 of 1: /)
    })
  })

  describe('routeFromInput', () => {
    it('builds the book\'s un-indexed route', async () => {
      expect(await routeFromInput(input(), 0)).to.deep.equal({servicePath: '/demo', port: '8080'})
    })

    it('joins paths and normalises the port', async () => {
      expect(await routeFromInput(input({paths: ['/a,/b', ' /c'], port: ' 0080 '}), 0)).to.deep.equal({servicePath: '/a,/b,/c', port: '80'})
    })

    it('puts every flag in, un-indexed', async () => {
      const params = await routeFromInput(
        input({
          domains: ['example.com, *.example.org', 'EXAMPLE.net'], srcPort: '443', reqMode: 'http', pathType: 'path_reg', httpsOnly: true, aclName: '01-go_demo.v2',
          params: ['timeoutServer=60', 'connectionMode=http-server-close', 'backendExtra=a=b c'],
        }),
        0,
      )
      expect(params).to.deep.equal({
        servicePath: '/demo', port: '8080', serviceDomain: 'example.com,*.example.org,EXAMPLE.net', srcPort: '443', reqMode: 'http', pathType: 'path_reg', httpsOnly: 'true',
        aclName: '01-go_demo.v2', timeoutServer: '60', connectionMode: 'http-server-close', backendExtra: 'a=b c',
      })
    })

    it('suffixes destination parameters with the index, and only those', async () => {
      const params = await routeFromInput(
        input({domains: ['example.com'], srcPort: '8443', reqMode: 'tcp', pathType: 'path', httpsOnly: true, aclName: 'demo', params: ['timeoutServer=60', 'sessionType=sticky-server', 'httpsPort=8443']}),
        3,
      )
      expect(params).to.deep.equal({
        'servicePath.3': '/demo', 'port.3': '8080', 'serviceDomain.3': 'example.com', 'srcPort.3': '8443', 'reqMode.3': 'tcp', 'pathType.3': 'path', 'httpsOnly.3': 'true',
        aclName: 'demo', 'timeoutServer.3': '60', sessionType: 'sticky-server', 'httpsPort.3': '8443',
      })
    })

    it('hashes --users and says so to the proxy (service-level, never indexed)', async () => {
      const params = await routeFromInput(input({users: 'admin:secret'}), 2)
      expect(Object.keys(params).sort()).to.deep.equal(['port.2', 'servicePath.2', 'users', 'usersPassEncrypted'])
      expect(params.usersPassEncrypted).to.equal('true')
      expect(params.users).to.match(/^admin:\$6\$/)
      expect(verify('secret', params.users.slice('admin:'.length))).to.equal(true)
    })

    it('leaves out what was not given (no httpsOnly=false)', async () => {
      const params = await routeFromInput(input({httpsOnly: false}), 1)
      expect(params).to.deep.equal({'servicePath.1': '/demo', 'port.1': '8080'})
    })

    for (const reqMode of ['http', 'tcp', 'sni']) {
      it(`accepts --req-mode ${reqMode}`, async () => {
        expect((await routeFromInput(input({reqMode}), 0)).reqMode).to.equal(reqMode)
      })
    }

    for (const pathType of ['path', 'path_beg', 'path_dir', 'path_dom', 'path_end', 'path_reg', 'path_sub']) {
      it(`accepts --path-type ${pathType}`, async () => {
        expect((await routeFromInput(input({pathType}), 0)).pathType).to.equal(pathType)
      })
    }

    const bad: [string, Partial<RouteAddInput>, string][] = [
      ['PORT 0', {port: '0'}, 'invalid PORT "0": expected a port number from 1 to 65535'],
      ['PORT 65536', {port: '65536'}, 'invalid PORT "65536": expected a port number from 1 to 65535'],
      ['PORT abc', {port: 'abc'}, 'invalid PORT "abc": expected a port number from 1 to 65535'],
      ['PORT -1', {port: '-1'}, 'invalid PORT "-1": expected a port number from 1 to 65535'],
      ['PORT 1.5', {port: '1.5'}, 'invalid PORT "1.5": expected a port number from 1 to 65535'],
      ['PATH demo', {paths: ['demo']}, 'invalid PATH "demo": expected a path starting with "/", e.g. /demo'],
      ['PATH with ?', {paths: ['/demo?x']}, 'invalid PATH "/demo?x": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)'],
      ['--domain with a space', {domains: ['ex ample.com']}, 'invalid --domain "ex ample.com": expected a host name like example.com or *.example.com'],
      ['--domain with a trailing dot', {domains: ['example.com.']}, 'invalid --domain "example.com.": expected a host name like example.com or *.example.com'],
      ['--domain with a scheme', {domains: ['http://example.com']}, 'invalid --domain "http://example.com": expected a host name like example.com or *.example.com'],
      ['--domain with a port', {domains: ['example.com:8080']}, 'invalid --domain "example.com:8080": expected a host name like example.com or *.example.com'],
      ['--domain *', {domains: ['*']}, 'invalid --domain "*": expected a host name like example.com or *.example.com'],
      ['--domain a.*.com', {domains: ['a.*.com']}, 'invalid --domain "a.*.com": expected a host name like example.com or *.example.com'],
      ['--domain -a.com', {domains: ['-a.com']}, 'invalid --domain "-a.com": expected a host name like example.com or *.example.com'],
      ['--domain a_b.com', {domains: ['a_b.com']}, 'invalid --domain "a_b.com": expected a host name like example.com or *.example.com'],
      ['an empty --domain item', {domains: ['example.com,']}, 'invalid --domain "": expected a host name like example.com or *.example.com'],
      ['--src-port 0', {srcPort: '0'}, 'invalid --src-port "0": expected a port number from 1 to 65535'],
      ['--src-port x', {srcPort: 'x'}, 'invalid --src-port "x": expected a port number from 1 to 65535'],
      ['--req-mode HTTP', {reqMode: 'HTTP'}, 'invalid --req-mode "HTTP": expected one of http, tcp, sni'],
      ['--req-mode bogus', {reqMode: 'bogus'}, 'invalid --req-mode "bogus": expected one of http, tcp, sni'],
      ['--path-type bogus', {pathType: 'bogus'}, 'invalid --path-type "bogus": expected one of path, path_beg, path_dir, path_dom, path_end, path_reg, path_sub'],
      ['--path-type hdr_beg', {pathType: 'hdr_beg'}, 'invalid --path-type "hdr_beg": expected one of path, path_beg, path_dir, path_dom, path_end, path_reg, path_sub'],
      ['--acl-name with a space', {aclName: 'a b'}, 'invalid --acl-name "a b": expected letters, digits, "_", "." or "-"'],
      ['--acl-name with a slash', {aclName: 'a/b'}, 'invalid --acl-name "a/b": expected letters, digits, "_", "." or "-"'],
      ['an empty --acl-name', {aclName: ''}, 'invalid --acl-name "": expected letters, digits, "_", "." or "-"'],
      ['--param without =', {params: ['timeoutServer']}, 'invalid --param "timeoutServer": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
      ['--param without a name', {params: ['=60']}, 'invalid --param "=60": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
      ['--param with an index', {params: ['timeoutServer.2=60']}, 'invalid --param "timeoutServer.2=60": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
      ['--param with a com.df. prefix', {params: ['com.df.port=1']}, 'invalid --param "com.df.port=1": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
      ['--param starting with a digit', {params: ['1x=2']}, 'invalid --param "1x=2": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
      ['--param with a dash', {params: ['timeout-server=1']}, 'invalid --param "timeout-server=1": expected NAME=VALUE with a docker-flow-proxy parameter name, e.g. timeoutServer=60'],
    ]
    for (const [what, overrides, message] of bad) {
      it(`rejects ${what}`, async () => {
        const error = await failure(routeFromInput(input(overrides), 0))
        expect(error.message).to.equal(message)
      })
    }

    const refused: [string, string][] = [
      ['serviceName', 'use SERVICE'],
      ['servicePath', 'use PATH'],
      ['port', 'use PORT'],
      ['serviceDomain', 'use --domain'],
      ['srcPort', 'use --src-port'],
      ['reqMode', 'use --req-mode'],
      ['pathType', 'use --path-type'],
      ['httpsOnly', 'use --https-only'],
      ['aclName', 'use --acl-name'],
      ['users', 'use --users'],
      ['usersPassEncrypted', 'use --users (it hashes plain passwords)'],
      ['distribute', 'swarmnet sends the route to every replica itself'],
      ['replicas', 'it would remove the route when 0'],
    ]
    for (const [name, why] of refused) {
      it(`refuses --param ${name}=...`, async () => {
        const error = await failure(routeFromInput(input({params: [`${name}=secret-value`]}), 0))
        expect(error.message).to.equal(`--param ${name} is not accepted: ${why}`)
      })
    }

    it('masks a password in a malformed --param that names users', async () => {
      const error = await failure(routeFromInput(input({params: ['&users=admin:secret']}), 0))
      expect(error.message).not.to.include('secret')
    })

    for (const pair of ['users.1=admin:secret', ' users=admin:secret', 'users =admin:secret']) {
      it(`does not print the password of a malformed --param ${JSON.stringify(pair)}`, async () => {
        const error = await failure(routeFromInput(input({params: [pair]}), 0))
        expect(error.message).not.to.include('secret')
      })
    }

    it('refuses a --param name that is not a docker-flow-proxy parameter (Users=...)', async () => {
      await failure(routeFromInput(input({params: ['Users=admin:secret']}), 0))
    })

    it('answers --param constructor=1 without an inherited function in the message', async () => {
      const error = await routeFromInput(input({params: ['constructor=1']}), 0).then(
        () => undefined,
        (error: Error) => error,
      )
      expect(error?.message ?? '').not.to.include('native code')
    })

    it('refuses --path-type path_len, which can never take a PATH', async () => {
      await failure(routeFromInput(input({pathType: 'path_len'}), 0))
    })
  })
})
