import {expect} from 'chai'

import {parseProxies, parseUserlist, reportDuplicates, reportStrayLines, usersOf} from '../../../src/lib/haproxy/grammar.js'
import {groupSections, splitLines} from '../../../src/lib/haproxy/lexer.js'
import type {Problem} from '../../../src/lib/haproxy/model.js'
import {configText, parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'

function collect(): {problems: Problem[]; report: (line: number | null, message: string) => void} {
  const problems: Problem[] = []
  return {problems, report: (line, message) => problems.push({line, message})}
}

describe('grammar', () => {
  describe('through parseHaproxyConfig: sections', () => {
    it('keeps unknown sections, a line outside any section, and unindented directives in their section', () => {
      const text = 'daemon\n# note\nkv-store sessions\n    size 10\nbackend b\nserver s s:80\n    mode http\n'
      const parsed = parseHaproxyConfig(text)
      expect(parsed.preamble.map((l) => l.text)).to.deep.equal(['daemon', '# note'])
      expect(parsed.sections.map(({keyword, name, known}) => ({keyword, name, known}))).to.deep.equal([
        {keyword: 'kv-store', name: 'sessions', known: false},
        {keyword: 'backend', name: 'b', known: true},
      ])
      expect(parsed.backends[0].servers.map((s) => s.address)).to.deep.equal(['s:80'])
      expect(parsed.problems).to.deep.equal([{line: 1, message: '"daemon" is outside any section'}])
      expect(configText(parsed)).to.equal(text)
    })

    it('takes the mode from the section, from its defaults, from named defaults, else tcp', () => {
      const parsed = parseHaproxyConfig([
        'frontend a', 'defaults web', '    mode http', 'frontend b', 'defaults', '    mode tcp', 'frontend c', 'frontend d from web', 'backend e', '    mode http',
      ].join('\n'))
      expect(parsed.frontends.map((f) => `${f.name} ${f.mode}`)).to.deep.equal(['a tcp', 'b http', 'c tcp', 'd http'])
      expect(parsed.backends.map((b) => `${b.name} ${b.mode}`)).to.deep.equal(['e http'])
    })

    it('reports names defined twice, rules without a backend and lines that say too little', () => {
      const parsed = parseHaproxyConfig('frontend f\n    use_backend\n    acl x\n    bind\nbackend b\n    server s\n    server-template p x s:80\nbackend b\nfrontend\n')
      expect(parsed.problems.map((p) => p.line + ' ' + p.message)).to.deep.equal([
        '3 acl without a name and a criterion',
        '2 use_backend without a backend name',
        '4 bind without an address',
        '6 server without a name and an address',
        '7 server-template needs a prefix, a count and an address',
        '9 frontend without a name',
        '8 backend "b" is defined twice (lines 5 and 8)',
      ])
    })
  })

  it('parseProxies reads a listen section as both a frontend and a backend', () => {
    const {problems, report} = collect()
    const {bodies} = groupSections(splitLines('listen db\n    mode tcp\n    bind :5432\n    balance roundrobin\n    server a a:5432 check\n'))
    const {frontends, backends} = parseProxies(bodies, [], report)
    expect(problems).to.deep.equal([])
    expect(frontends.map((f) => [f.kind, f.name, f.mode, f.binds.map((b) => b.port), f.other])).to.deep.equal([['listen', 'db', 'tcp', ['5432'], []]])
    expect(backends.map((b) => [b.kind, b.name, b.balance, b.servers.map((s) => s.port), b.other])).to.deep.equal([['listen', 'db', 'roundrobin', [5432], []]])
  })

  it('parseUserlist keeps user and group names; usersOf finds them by userlist', () => {
    const {bodies} = groupSections(splitLines('userlist xUsers\n    group admins\n    user ann insecure-password secret\n    user bob password $6$x\n'))
    const userlist = parseUserlist(bodies[0])
    expect(userlist).to.deep.equal({name: 'xUsers', line: 1, users: ['ann', 'bob'], groups: ['admins']})
    expect(usersOf('xUsers', [userlist])).to.deep.equal(['ann', 'bob'])
    expect(usersOf('gone', [userlist])).to.deep.equal([])
  })

  it('reportStrayLines and reportDuplicates', () => {
    const {problems, report} = collect()
    reportStrayLines(splitLines('# fine\n\n  stray words\n'), report)
    reportDuplicates([{kind: 'backend', name: 'a', line: 2}, {kind: 'backend', name: 'b', line: 5}, {kind: 'listen', name: 'a', line: 9}], 'backend', report)
    expect(problems).to.deep.equal([
      {line: 3, message: '"stray words" is outside any section'},
      {line: 9, message: 'backend "a" is defined twice (lines 2 and 9)'},
    ])
  })
})
