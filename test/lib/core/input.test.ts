import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {UsageError} from '../../../src/lib/core/errors.js'
import {
  checkDockerName, checkNetworkName, checkReadableFile, checkServiceName, checkServiceRef, checkSshConfigFile, checkUrlPath, parseDuration, parseKeyValue, parsePort, parseWholeNumber,
} from '../../../src/lib/core/input.js'
import {tempDir} from '../../helpers/fixtures.js'
import {usageMessage} from '../../helpers/usage.js'

describe('input: every value parsed once, before anything connects', () => {
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

  it('parseWholeNumber: digits within the range, else the one message shape', () => {
    expect(parseWholeNumber('3', '--nodes', 1, 9)).to.equal(3)
    for (const bad of ['0', '10', 'abc', '1.5', '-1', '']) expect(usageMessage(() => parseWholeNumber(bad, '--nodes', 1, 9))).to.equal(`invalid --nodes "${bad}": expected a whole number from 1 to 9`)
    expect(parseWholeNumber(' 3 ', '--nodes', 1, 9, {trim: true})).to.equal(3)
    expect(usageMessage(() => parseWholeNumber(' 3', '--requests', 1, 9))).to.equal('invalid --requests " 3": expected a whole number from 1 to 9')
  })

  describe('parsePort', () => {
    it('reads 1..65535; spaces around only where the value is one item of a trimmed list', () => {
      expect(parsePort('1', 'PORT')).to.equal(1)
      expect(parsePort('8080', 'PORT')).to.equal(8080)
      expect(parsePort('65535', 'PORT')).to.equal(65_535)
      expect(parsePort(' 80 ', 'PORT', {trim: true})).to.equal(80)
      expect(parsePort('080', 'PORT')).to.equal(80)
      expect(usageMessage(() => parsePort(' 80', '--port'))).to.equal('invalid --port " 80": expected a port number from 1 to 65535')
    })

    for (const text of ['0', '65536', 'abc', '-1', '1.5', '', ' ', '1e3', '0x50', '80a', '99999999999999999999']) {
      it(`rejects ${JSON.stringify(text)} naming where it came from`, () => {
        expect(() => parsePort(text, '--src-port')).to.throw(UsageError).with.property('message', `invalid --src-port "${text}": expected a port number from 1 to 65535`)
      })
    }
  })

  describe('parseDuration', () => {
    it('reads seconds, milliseconds and minutes', () => {
      expect(parseDuration('10s', 't')).to.equal(10_000)
      expect(parseDuration('250ms', 't')).to.equal(250)
      expect(parseDuration('2m', 't')).to.equal(120_000)
      expect(parseDuration('3', 't')).to.equal(3000)
    })

    for (const bad of ['', 'soon', '-1s', '0', '10h', '1.5.2s']) {
      it(`rejects "${bad}"`, () => expect(() => parseDuration(bad, '--timeout')).to.throw(UsageError, /invalid --timeout/))
    }
  })

  describe('names', () => {
    it('services and networks: a letter or digit, then letters, digits, "_", "." or "-"', () => {
      for (const ok of ['go-demo', 'proxy', 'a', 'x_1.2', 'abc123def456']) {
        expect(checkServiceName(ok)).to.equal(ok)
        expect(checkServiceRef(ok)).to.equal(ok)
        expect(checkNetworkName(ok, '--network')).to.equal(ok)
      }

      expect(usageMessage(() => checkServiceName('-web'))).to.equal('invalid SERVICE "-web": expected a service name (letters, digits, "_", "." or "-")')
      expect(usageMessage(() => checkServiceName('a b', '--name'))).to.equal('invalid --name "a b": expected a service name (letters, digits, "_", "." or "-")')
      expect(usageMessage(() => checkServiceRef('go demo'))).to.equal('invalid SERVICE "go demo": expected a service name or id')
      expect(usageMessage(() => checkNetworkName('', '--network'))).to.equal('invalid --network "": expected a network name (letters, digits, "_", "." or "-")')
      expect(usageMessage(() => checkDockerName('_x', 'network name', 'letters'))).to.equal('invalid network name "_x": expected letters')
    })
  })

  describe('checkServiceRef', () => {
    for (const ref of ['go-demo', 'app_go-demo.v2', 'x', '0abc', 'svc-godemo-0123456789']) {
      it(`accepts ${ref}`, () => {
        expect(() => checkServiceRef(ref)).to.not.throw()
      })
    }

    for (const ref of ['', 'go demo', '-x', '.x', '_x', 'a/b', 'a:b', 'a\nb']) {
      it(`refuses ${JSON.stringify(ref)}`, () => {
        expect(() => checkServiceRef(ref)).to.throw(UsageError, `invalid SERVICE "${ref}": expected a service name or id`)
      })
    }
  })

  describe('KEY=VALUE', () => {
    it('splits at the first "=", the value may be empty or hold "="', () => {
      expect(parseKeyValue('a=b', '--label')).to.deep.equal(['a', 'b'])
      expect(parseKeyValue('a=', '--label')).to.deep.equal(['a', ''])
      expect(parseKeyValue('a=b=c', '--label')).to.deep.equal(['a', 'b=c'])
    })

    it('refuses a missing key or "=", or a key the rule does not allow, showing what the caller says', () => {
      for (const bad of ['a', '=b', '']) expect(usageMessage(() => parseKeyValue(bad, '--label'))).to.equal(`invalid --label "${bad}": expected KEY=VALUE`)
      expect(usageMessage(() => parseKeyValue('1A=secret', '--env', {key: /^[A-Za-z_]\w*$/, shown: '1A'}))).to.equal('invalid --env "1A": expected KEY=VALUE')
      expect(usageMessage(() => parseKeyValue('x', '--param', {expected: 'NAME=VALUE'}))).to.equal('invalid --param "x": expected NAME=VALUE')
    })
  })
})
