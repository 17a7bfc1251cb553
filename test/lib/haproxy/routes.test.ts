import {expect} from 'chai'

import {parseProxies, parseUserlist} from '../../../src/lib/haproxy/grammar.js'
import {groupSections, splitLines} from '../../../src/lib/haproxy/lexer.js'
import type {Problem, Route} from '../../../src/lib/haproxy/model.js'
import {buildRoutes} from '../../../src/lib/haproxy/routes.js'
import {cond, list, match, naming, route, server} from '../../helpers/haproxy-routes.js'

function routesOf(text: string): {routes: Route[]; problems: Problem[]} {
  const problems: Problem[] = []
  const report = (line: number | null, message: string): void => {
    problems.push({line, message})
  }

  const {bodies} = groupSections(splitLines(text))
  const userlists = bodies.filter((b) => b.section.keyword === 'userlist').map((b) => parseUserlist(b))
  const {frontends, backends} = parseProxies(bodies, userlists, report)
  return {routes: buildRoutes(frontends, backends, userlists, report), problems}
}

describe('routes', () => {
  it('buildRoutes: use_backend rules in order, then default_backend, each with its servers and what it matches', () => {
    const {routes, problems} = routesOf([
      'frontend f', '    mode http', '    acl api path_beg /api', '    acl host hdr(host) -i a.example', '    acl ua hdr(User-Agent) curl',
      '    use_backend api-pool if api host ua', '    default_backend web', 'backend api-pool', '    mode http', '    cookie api insert',
      '    server api_1 10.0.0.1:80', '    server-template api 3 api:80', 'backend web', '    mode http', '',
    ].join('\n'))
    expect(problems).to.deep.equal([])
    expect(routes).to.deep.equal([
      route({
        frontend: 'f', backend: 'api-pool', line: 6, condition: cond('api host ua'), sticky: true,
        servers: [server('api_1', '10.0.0.1:80'), {name: 'api', address: 'api:80', count: 3, template: true, options: []}],
        match: match({paths: [list('path_beg', ['/api'])], domains: [list('hdr(host)', ['a.example'], ['-i'])], userAgents: [list('hdr(User-Agent)', ['curl'])]}),
      }),
      route({frontend: 'f', rule: 'default_backend', backend: 'web', line: 7}),
    ])
  })

  it("buildRoutes: a frontend's http_auth ACL names the users; a listen serves by itself; a missing backend is reported", () => {
    const {routes, problems} = routesOf([
      'userlist xUsers', '    user ann insecure-password x', 'frontend f', '    mode http', '    acl auth http_auth(xUsers)',
      '    use_backend gone if auth', 'listen l', '    mode tcp', '    server s s:5432', '',
    ].join('\n'))
    expect(problems).to.deep.equal([{line: 6, message: 'frontend "f" routes to backend "gone", which is not defined'}])
    expect(routes).to.deep.equal([
      route({
        frontend: 'f', backend: 'gone', line: 6, condition: cond('auth'), backendFound: false, backendMode: null,
        auth: [{userlist: 'xUsers', realm: null, users: ['ann']}],
      }),
      route({
        frontend: 'l', frontendMode: 'tcp', rule: 'listen', backend: 'l', backendMode: 'tcp', line: 7,
        servers: [server('s', 's:5432')], naming: naming({reqMode: 'tcp'}),
      }),
    ])
  })
})
