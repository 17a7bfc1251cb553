import {expect} from 'chai'

import {groupSections, lineEnding, splitLines, tokenize} from '../../../src/lib/haproxy/lexer.js'

describe('lexer', () => {
  it('splitLines keeps each line ending, and a last line without one', () => {
    expect(splitLines('a\r\nb\nc')).to.deep.equal([
      {number: 1, text: 'a', eol: '\r\n'},
      {number: 2, text: 'b', eol: '\n'},
      {number: 3, text: 'c', eol: ''},
    ])
    expect(splitLines('')).to.deep.equal([])
    expect(splitLines('\n')).to.deep.equal([{number: 1, text: '', eol: '\n'}])
  })

  it('lineEnding: lf, crlf, mixed, or none', () => {
    expect(lineEnding(splitLines('a\nb\n'))).to.equal('lf')
    expect(lineEnding(splitLines('a\r\nb'))).to.equal('crlf')
    expect(lineEnding(splitLines('a\r\nb\n'))).to.equal('mixed')
    expect(lineEnding(splitLines('a'))).to.equal('none')
  })

  it('tokenize splits on blanks, joins quotes and escapes, and stops at an unquoted #', () => {
    const line = '  acl h hdr(x) "two words" one\\ word \'#x\' # comment'
    expect(tokenize(line)).to.deep.equal({words: ['acl', 'h', 'hdr(x)', 'two words', 'one word', '#x'], codeEnd: line.indexOf(' # ') + 1})
    expect(tokenize('a "" b').words).to.deep.equal(['a', '', 'b'])
    expect(tokenize('"a\\"b" \'c\\d\'').words).to.deep.equal(['a"b', 'c\\d'])
    expect(tokenize('\t# only a comment')).to.deep.equal({words: [], codeEnd: 1})
  })

  it('groupSections: the preamble, then sections with their lines and directives', () => {
    const {preamble, bodies} = groupSections(splitLines('# top\nglobal\n    daemon # bg\n\nbackend b\nserver s s:80\n'))
    expect(preamble.map((l) => l.text)).to.deep.equal(['# top'])
    expect(bodies.map((b) => [b.section.keyword, b.section.name, b.section.known, b.section.lines.length])).to.deep.equal([
      ['global', null, true, 2],
      ['backend', 'b', true, 1],
    ])
    expect(bodies[0].directives).to.deep.equal([{line: 3, keyword: 'daemon', args: [], text: 'daemon'}])
    expect(bodies[1].directives).to.deep.equal([{line: 6, keyword: 'server', args: ['s', 's:80'], text: 'server s s:80'}])
  })

  it('groupSections starts an unknown section only at column 0 and not on a directive', () => {
    const {bodies} = groupSections(splitLines('kv-store x\n    size 1\n  other y\ntune.bufsize 1\n'))
    expect(bodies.map((b) => b.section.keyword)).to.deep.equal(['kv-store'])
    expect(bodies[0].section.known).to.equal(false)
    expect(bodies[0].directives.map((d) => d.keyword)).to.deep.equal(['size', 'other', 'tune.bufsize'])
  })
})
