import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {describeCauses, groupByCause} from '../../../src/lib/core/causes.js'
import {UsageError} from '../../../src/lib/core/errors.js'
import {checkExclusive, checkFlagNeeds, checkReadableFile, checkSshConfigFile, checkUrlPath, givenOnCommandLine, originOf, parseWholeNumber} from '../../../src/lib/core/validate.js'
import {tempDir} from '../../helpers/fixtures.js'

function usageMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return (error as Error).message
  }

  throw new Error('expected a usage error')
}

describe('validate: every value checked before anything connects', () => {
  describe('checkUrlPath', () => {
    it('accepts paths with a leading "/", also with a query string', () => {
      for (const ok of ['/', '/demo/hello', '/health?deep=1', '/a%20b']) expect(checkUrlPath(ok, '--verify-path')).to.equal(ok)
    })

    it('refuses a path without "/" and characters a request cannot carry as typed, naming the flag and value', () => {
      expect(usageMessage(() => checkUrlPath('nopath', '--verify-path'))).to.equal('invalid --verify-path "nopath": expected a path starting with "/", without spaces, quotes, backslashes or "#", e.g. /demo/hello')
      for (const bad of ['', 'demo', '/a b', '/a"b', "/it's", '/a\\b', '/a#b', '/a\nb']) expect(usageMessage(() => checkUrlPath(bad, '--path'))).to.match(/^invalid --path "/)
    })
  })

  describe('files named by flags', () => {
    let tmp: ReturnType<typeof tempDir>
    before(() => {
      tmp = tempDir()
      writeFileSync(path.join(tmp.dir, 'config'), 'Host *\n  User root\n')
      mkdirSync(path.join(tmp.dir, 'dir'))
      mkdirSync(path.join(tmp.dir, '.ssh'))
      writeFileSync(path.join(tmp.dir, '.ssh', 'config'), '')
    })
    after(() => tmp.remove())

    it('a readable regular file passes, "~/" is the home directory', () => {
      expect(checkReadableFile(path.join(tmp.dir, 'config'), '--ssh-config', 'an ssh_config file')).to.equal(path.join(tmp.dir, 'config'))
      expect(checkReadableFile('~/.ssh/config', '--ssh-config', 'an ssh_config file', tmp.dir)).to.equal(path.join(tmp.dir, '.ssh', 'config'))
    })

    it('a missing file, a directory, or an empty name: one line naming where the value came from', () => {
      expect(usageMessage(() => checkSshConfigFile('/nonexistent/file', '--ssh-config'))).to.equal('invalid --ssh-config "/nonexistent/file": expected a readable ssh_config file, or "none" (no such file)')
      expect(usageMessage(() => checkSshConfigFile('/nonexistent/file', 'SWARMNET_SSH_CONFIG'))).to.equal('invalid SWARMNET_SSH_CONFIG "/nonexistent/file": expected a readable ssh_config file, or "none" (no such file)')
      expect(usageMessage(() => checkSshConfigFile(path.join(tmp.dir, 'dir'), '--ssh-config'))).to.match(/\(not a regular file\)$/)
      expect(usageMessage(() => checkSshConfigFile('', '--ssh-config'))).to.match(/\(empty\)$/)
      expect(usageMessage(() => checkSshConfigFile('/etc/passwd/x', '--ssh-config'))).to.match(/\(a part of the path is not a directory\)$/)
    })

    it('"none" (like ssh -F none) and no value at all are fine', () => {
      expect(() => checkSshConfigFile('none', '--ssh-config')).not.to.throw()
      expect(() => checkSshConfigFile(undefined, '--ssh-config')).not.to.throw()
    })
  })

  describe('where a value came from', () => {
    it('typed (--flag value, --flag=value, -X) or from the environment', () => {
      expect(givenOnCommandLine(['node', 'ls', '--ssh-config', 'x'], 'ssh-config')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '--ssh-config=x'], 'ssh-config')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '-H', 'unix:///x'], 'host', 'H')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '-Hunix:///x'], 'host', 'H')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '--ssh-configs'], 'ssh-config')).to.equal(false)
      expect(givenOnCommandLine(['lab', 'up'], 'host', 'H')).to.equal(false)
      expect(originOf(['doctor'], 'ssh-config', 'SWARMNET_SSH_CONFIG')).to.equal('SWARMNET_SSH_CONFIG')
      expect(originOf(['doctor', '--ssh-config', 'x'], 'ssh-config', 'SWARMNET_SSH_CONFIG')).to.equal('--ssh-config')
    })
  })

  describe('flags that depend on others', () => {
    it('a flag without its partner is a usage error, never ignored', () => {
      expect(usageMessage(() => checkFlagNeeds({yes: true, prune: false}, {yes: 'prune'}))).to.equal('--yes goes with --prune; without it, --yes would do nothing')
      expect(() => checkFlagNeeds({yes: true, prune: true}, {yes: 'prune'})).not.to.throw()
      expect(() => checkFlagNeeds({yes: false, prune: false}, {yes: 'prune'})).not.to.throw()
    })

    it('flags that exclude each other', () => {
      expect(usageMessage(() => checkExclusive({raw: true, json: true}, [['raw', 'json', 'why']]))).to.equal('--raw does not go with --json: why')
      expect(() => checkExclusive({raw: true, json: false}, [['raw', 'json', 'why']])).not.to.throw()
    })
  })

  it('parseWholeNumber: digits within the range, else the one message shape', () => {
    expect(parseWholeNumber('3', '--nodes', 1, 9)).to.equal(3)
    for (const bad of ['0', '10', 'abc', '1.5', '-1', '']) expect(usageMessage(() => parseWholeNumber(bad, '--nodes', 1, 9))).to.equal(`invalid --nodes "${bad}": expected a whole number from 1 to 9`)
  })
})

describe('causes: one line per cause, naming the nodes it hit', () => {
  it('a cause common to every node is said once with the nodes; different causes stay per node', () => {
    const items = [
      {who: 'node-1', cause: 'cannot read SSH config X'},
      {who: 'node-2', cause: 'cannot read SSH config X'},
      {who: 'node-3', cause: 'connection refused'},
      {who: 'node-2', cause: 'cannot read SSH config X'},
    ]
    expect(describeCauses(items)).to.equal('cannot read SSH config X (node-1, node-2); node-3: connection refused')
    expect(groupByCause(items).map((g) => g.who)).to.deep.equal([['node-1', 'node-2'], ['node-3']])
    expect(describeCauses([])).to.equal('')
  })
})
