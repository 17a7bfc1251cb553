import {expect} from 'chai'

import {configText, parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'

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
})
