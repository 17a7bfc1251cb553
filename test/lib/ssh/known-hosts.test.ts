import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  hashHostName,
  hostFieldMatches,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  readKnownHostsFiles,
} from '../../../src/lib/ssh/known-hosts.js'
import {ed25519Blob} from '../../helpers/ssh-keys.js'

const line = (hosts: string, blob: Buffer, marker = '') => `${marker ? marker + ' ' : ''}${hosts} ${keyTypeOf(blob)} ${blob.toString('base64')}`

describe('known-hosts', () => {
  let dir: string
  const keyA = ed25519Blob()
  const keyB = ed25519Blob()

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-kh-'))
  })

  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  describe('parsing', () => {
    it('keeps host entries and @revoked, skips comments, blank, @cert-authority and corrupt lines', () => {
      const text = [
        '# a comment',
        '',
        line('host-a,10.0.0.1', keyA),
        line('*.ca.example', keyB, '@cert-authority'),
        line('*', keyB, '@revoked'),
        'host-b ssh-ed25519 not-base64!',
        `host-c ssh-rsa ${keyA.toString('base64')}`, // type field disagrees with the blob
        '   ' + line('host-d', keyB) + ' a comment at the end',
      ].join('\n')
      const entries = parseKnownHosts(text, '/kh')
      expect(entries.map((entry) => [entry.hosts, entry.line, entry.revoked])).to.deep.equal([
        ['host-a,10.0.0.1', 3, false],
        ['*', 5, true],
        ['host-d', 8, false],
      ])
      expect(entries[0].keyType).to.equal('ssh-ed25519')
      expect(entries[0].keyBlob.equals(keyA)).to.equal(true)
    })
  })

  describe('host matching', () => {
    it('names non-22 ports [host]:port and lowercases', () => {
      expect(knownHostsName({host: 'Node-1', port: 22})).to.equal('node-1')
      expect(knownHostsName({host: 'node-1'})).to.equal('node-1')
      expect(knownHostsName({host: '10.0.0.2', port: 2222})).to.equal('[10.0.0.2]:2222')
    })

    it('matches host lists, wildcards, negation and case-insensitively', () => {
      expect(hostFieldMatches('a,b,c', 'b')).to.equal(true)
      expect(hostFieldMatches('a,b,c', 'd')).to.equal(false)
      expect(hostFieldMatches('*.example.com', 'node.example.com')).to.equal(true)
      expect(hostFieldMatches('*.example.com', 'example.com')).to.equal(false)
      expect(hostFieldMatches('10.0.0.?', '10.0.0.7')).to.equal(true)
      expect(hostFieldMatches('10.0.0.?', '10.0.0.17')).to.equal(false)
      expect(hostFieldMatches('!bad.example.com,*.example.com', 'bad.example.com')).to.equal(false)
      expect(hostFieldMatches('!bad.example.com,*.example.com', 'good.example.com')).to.equal(true)
      expect(hostFieldMatches('Node-1', 'node-1')).to.equal(true)
      expect(hostFieldMatches('[*.example.com]:2222', '[n.example.com]:2222')).to.equal(true)
      expect(hostFieldMatches('a.b', 'aXb')).to.equal(false) // dots are literal
    })

    it('keeps ports apart: [host]:port entries only match that port', () => {
      const entries = parseKnownHosts([line('[10.0.0.2]:2222', keyA), line('10.0.0.3', keyB)].join('\n'), '/kh')
      expect(checkHostKey(entries, {host: '10.0.0.2', port: 2222}, 'ssh-ed25519', keyA).status).to.equal('match')
      expect(checkHostKey(entries, {host: '10.0.0.2', port: 22}, 'ssh-ed25519', keyA).status).to.equal('unknown')
      expect(checkHostKey(entries, {host: '10.0.0.3', port: 2222}, 'ssh-ed25519', keyB).status).to.equal('unknown')
      expect(checkHostKey(entries, {host: '10.0.0.3', port: 22}, 'ssh-ed25519', keyB).status).to.equal('match')
    })

    it('matches hashed entries written by our hashHostName and by ssh-keygen -H', () => {
      const ours = parseKnownHosts(line(hashHostName('[10.0.0.2]:2222'), keyA), '/kh')
      expect(hostFieldMatches(ours[0].hosts, '[10.0.0.2]:2222')).to.equal(true)
      expect(hostFieldMatches(ours[0].hosts, '10.0.0.2')).to.equal(false)

      const file = path.join(dir, 'known_hosts')
      writeFileSync(file, [line('node-7', keyA), line('[node-8]:2200', keyB)].join('\n') + '\n')
      execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
      const hashed = readKnownHostsFiles([file])
      expect(hashed.every((entry) => entry.hosts.startsWith('|1|'))).to.equal(true)
      expect(checkHostKey(hashed, {host: 'node-7'}, 'ssh-ed25519', keyA).status).to.equal('match')
      expect(checkHostKey(hashed, {host: 'node-8', port: 2200}, 'ssh-ed25519', keyB).status).to.equal('match')
      expect(checkHostKey(hashed, {host: 'node-8'}, 'ssh-ed25519', keyB).status).to.equal('unknown')
    })
  })

  describe('verdicts', () => {
    it('says changed, with the file and line, for another key of the same type', () => {
      const entries = parseKnownHosts(['# header', line('node-1', keyA)].join('\n'), '/home/u/.ssh/known_hosts')
      expect(checkHostKey(entries, {host: 'node-1'}, 'ssh-ed25519', keyB)).to.deep.equal({
        status: 'changed',
        file: '/home/u/.ssh/known_hosts',
        line: 2,
        knownKeyType: 'ssh-ed25519',
      })
    })

    it('says unknown when only keys of other types are known', () => {
      const entries = parseKnownHosts(line('node-1', keyA), '/kh')
      expect(checkHostKey(entries, {host: 'node-1'}, 'ecdsa-sha2-nistp256', Buffer.from('other')).status).to.equal('unknown')
    })

    it('refuses a @revoked key even where it is also listed as valid', () => {
      const entries = parseKnownHosts([line('node-1', keyA), line('*', keyA, '@revoked')].join('\n'), '/kh')
      expect(checkHostKey(entries, {host: 'node-1'}, 'ssh-ed25519', keyA)).to.deep.equal({status: 'revoked', file: '/kh', line: 2})
      expect(checkHostKey(entries, {host: 'node-2'}, 'ssh-ed25519', keyB).status).to.equal('unknown')
    })

    it('lets a match in one file win over a conflicting key in another, as ssh does', () => {
      const user = path.join(dir, 'user')
      const global = path.join(dir, 'global')
      writeFileSync(user, line('node-1', keyA) + '\n')
      writeFileSync(global, line('node-1', keyB) + '\n')
      const entries = readKnownHostsFiles([user, global, path.join(dir, 'missing')])
      expect(checkHostKey(entries, {host: 'node-1'}, 'ssh-ed25519', keyA)).to.deep.equal({status: 'match', file: user, line: 1})
      expect(checkHostKey(entries, {host: 'node-1'}, 'ssh-ed25519', keyB)).to.deep.equal({status: 'match', file: global, line: 1})
    })
  })

  describe('fingerprint', () => {
    it('equals ssh-keygen -l', () => {
      const file = path.join(dir, 'key.pub')
      writeFileSync(file, line('', keyA).trim() + '\n')
      const output = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], {encoding: 'utf8'})
      expect(output.split(' ')[1]).to.equal(fingerprint(keyA))
      expect(fingerprint(keyA)).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/)
    })
  })

  describe('appendKnownHost', () => {
    it('creates ~/.ssh (0700) and known_hosts (0600) with a hashed line ssh-keygen -F finds', async () => {
      const file = path.join(dir, 'home', '.ssh', 'known_hosts')
      const written = await appendKnownHost(file, {host: '127.0.0.1', port: 2222}, keyA)
      expect(written).to.match(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /)
      expect(statSync(path.dirname(file)).mode & 0o777).to.equal(0o700)
      expect(statSync(file).mode & 0o777).to.equal(0o600)
      const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], {encoding: 'utf8'})
      expect(found).to.include(keyA.toString('base64'))
      expect(checkHostKey(readKnownHostsFiles([file]), {host: '127.0.0.1', port: 2222}, 'ssh-ed25519', keyA).status).to.equal('match')
    })

    it('starts a new line when the file does not end with one, and keeps what was there', async () => {
      const file = path.join(dir, 'known_hosts')
      writeFileSync(file, line('node-1', keyB))
      await appendKnownHost(file, {host: 'node-2'}, keyA)
      const lines = readFileSync(file, 'utf8').split('\n')
      expect(lines).to.have.length(3)
      expect(lines[0]).to.equal(line('node-1', keyB))
      expect(lines[2]).to.equal('')
      const entries = readKnownHostsFiles([file])
      expect(checkHostKey(entries, {host: 'node-1'}, 'ssh-ed25519', keyB).status).to.equal('match')
      expect(checkHostKey(entries, {host: 'node-2'}, 'ssh-ed25519', keyA).status).to.equal('match')
    })
  })
})
