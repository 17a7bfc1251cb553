import {expect} from 'chai'

import {aclIndex, aclsOf, authUserlist, conditionUserlists, parseAcls, splitCondition} from '../../../src/lib/haproxy/acl.js'
import type {Directive} from '../../../src/lib/haproxy/lexer.js'
import type {Problem} from '../../../src/lib/haproxy/model.js'
import {parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'
import {list, match} from '../../helpers/haproxy-routes.js'

function acl(line: number, ...args: string[]): Directive {
  return {line, keyword: 'acl', args, text: ['acl', ...args].join(' ')}
}

describe('acl', () => {
  describe('through parseHaproxyConfig: conditions and ACLs', () => {
    const frontend = (lines: string) => parseHaproxyConfig(`frontend f\n    mode http\n${lines}\nbackend b\n    server s s:80\n`)

    it('reads unless, a separate "!", anonymous ACLs, "||" and predefined ACLs', () => {
      const parsed = frontend('    acl api path_beg /api\n    acl v2 hdr(X-Version) 2\n    use_backend b if api ! v2 { ssl_fc } || METH_GET\n    use_backend b unless api')
      expect(parsed.problems).to.deep.equal([])
      const [first, second] = parsed.routes
      expect(first.condition).to.deep.equal({
        keyword: 'if',
        text: 'api ! v2 { ssl_fc } || METH_GET',
        acls: [
          {name: 'api', negated: false, defined: true},
          {name: 'v2', negated: true, defined: true},
          {name: '{ ssl_fc }', negated: false, defined: true},
          {name: 'METH_GET', negated: false, defined: true},
        ],
        hasOr: true,
      })
      expect(first.match).to.deep.equal(match({paths: [list('path_beg', ['/api'])], other: ['!v2', '{ ssl_fc }', 'METH_GET']}))
      expect(second.match).to.deep.equal(match({excludedPaths: [list('path_beg', ['/api'])]}))
      expect(second.condition!.hasOr).to.equal(false)
      expect(frontend('    acl a path /a\n    acl b path /b\n    use_backend b unless a b').routes[0].condition!.hasOr).to.equal(true)
    })

    it('classifies anonymous ACLs like named ones', () => {
      const parsed = frontend('    use_backend b if { hdr_dom(host) -i example.com } { path_end .json }')
      expect(parsed.routes[0].match).to.deep.equal(match({domains: [list('hdr_dom(host)', ['example.com'], ['-i'])], paths: [list('path_end', ['.json'])]}))
    })

    it('reads flags with arguments, "--", and merges several lines of one ACL', () => {
      const parsed = frontend('    acl p path -m beg -i /a\n    acl p path -m beg -i /b\n    acl neg path -- -dash\n    acl f hdr(host) -f /etc/hosts.lst\n    use_backend b if p neg f')
      const [frontendView] = parsed.frontends
      expect(frontendView.acls.map(({name, criterion, flags, values}) => ({name, criterion, flags, values}))).to.deep.equal([
        {name: 'p', criterion: 'path', flags: ['-m beg', '-i'], values: ['/a']},
        {name: 'p', criterion: 'path', flags: ['-m beg', '-i'], values: ['/b']},
        {name: 'neg', criterion: 'path', flags: [], values: ['-dash']},
        {name: 'f', criterion: 'hdr(host)', flags: ['-f /etc/hosts.lst'], values: []},
      ])
      expect(parsed.routes[0].match.paths).to.deep.equal([list('path', ['/a', '/b'], ['-m beg', '-i']), list('path', ['-dash'])])
    })

    it("reads docker-flow-proxy's repeated criterion as one list of paths", () => {
      const parsed = frontend('    acl sni_x443-1 req_ssl_sni -i -m beg a. req_ssl_sni -i -m beg b.\n    acl u path_reg ^/a$ path_reg ^/b$\n    use_backend b if sni_x443-1 u')
      expect(parsed.routes[0].match.sni).to.deep.equal([list('req_ssl_sni', ['a.', 'b.'], ['-i', '-m beg'])])
      expect(parsed.routes[0].match.paths).to.deep.equal([list('path_reg', ['^/a$', '^/b$'])])
    })

    it('reads quotes and escaped blanks as HAProxy does', () => {
      const parsed = frontend('    acl h hdr(X-Name) "two words" one\\ word \'#not a comment\' # a comment\n    use_backend b if h')
      expect(parsed.routes[0].match.headers).to.deep.equal([list('hdr(X-Name)', ['two words', 'one word', '#not a comment'])])
    })

    it('reports ACLs missing from other rules, and a userlist that is not there', () => {
      const parsed = parseHaproxyConfig('backend b\n    acl okAcl http_auth(gone)\n    http-request auth realm r if !okAcl\n    http-request deny if nope\n    server s s:80\n')
      expect(parsed.problems).to.deep.equal([
        {line: 4, message: 'backend "b" uses ACL "nope", which is not defined'},
        {line: 1, message: 'backend "b" asks for users of userlist "gone", which is not defined'},
      ])
      expect(parsed.backends[0].auth).to.deep.equal([{userlist: 'gone', realm: 'r', users: []}])
    })
  })

  it('parseAcls keeps criterion, flags and values, and reports an acl that says too little', () => {
    const problems: Problem[] = []
    const acls = parseAcls([acl(1, 'a', 'path_beg', '-i', '/x'), acl(2, 'b'), {line: 3, keyword: 'mode', args: ['http'], text: 'mode http'}], (line, message) => problems.push({line, message}))
    expect(acls).to.deep.equal([{name: 'a', criterion: 'path_beg', flags: ['-i'], values: ['/x'], line: 1}])
    expect(problems).to.deep.equal([{line: 2, message: 'acl without a name and a criterion'}])
  })

  it('splitCondition splits a rule at if/unless and marks ACLs it does not know', () => {
    expect(splitCondition(['b'], new Set())).to.deep.equal({before: ['b'], condition: null})
    expect(splitCondition(['b', 'unless', 'x', 'TRUE'], new Set(['x']))).to.deep.equal({
      before: ['b'],
      condition: {keyword: 'unless', text: 'x TRUE', hasOr: true, acls: [{name: 'x', negated: false, defined: true}, {name: 'TRUE', negated: false, defined: true}]},
    })
    expect(splitCondition(['b', 'if', '!y'], new Set()).condition!.acls).to.deep.equal([{name: 'y', negated: true, defined: false}])
  })

  it('aclIndex groups the lines of one name; aclsOf reads a name or an anonymous ACL', () => {
    const index = aclIndex(parseAcls([acl(1, 'p', 'path', '/a'), acl(2, 'p', 'path', '/b'), acl(3, 'q', 'dst_port', '80')], () => {}))
    expect([...index.keys()]).to.deep.equal(['p', 'q'])
    expect(aclsOf({name: 'p', negated: false, defined: true}, index).map((a) => a.values)).to.deep.equal([['/a'], ['/b']])
    expect(aclsOf({name: 'nope', negated: false, defined: false}, index)).to.deep.equal([])
    expect(aclsOf({name: '{ path_end -i .json }', negated: false, defined: true}, index)).to.deep.equal([
      {name: '{ path_end -i .json }', criterion: 'path_end', flags: ['-i'], values: ['.json'], line: 0},
    ])
  })

  it('authUserlist and conditionUserlists find the userlists http_auth asks for', () => {
    expect(authUserlist('http_auth(xUsers)')).to.equal('xUsers')
    expect(authUserlist('http_auth_group(admins) g1')).to.equal('admins')
    expect(authUserlist('path_beg')).to.equal(null)
    const index = aclIndex(parseAcls([acl(1, 'auth', 'http_auth(xUsers)'), acl(2, 'p', 'path', '/a')], () => {}))
    const {condition} = splitCondition(['b', 'if', 'p', '!auth', '{', 'http_auth(other)', '}'], new Set(index.keys()))
    expect(conditionUserlists(condition, index)).to.deep.equal(['xUsers', 'other'])
    expect(conditionUserlists(null, index)).to.deep.equal([])
  })
})
