import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {type HostKeyContext, HostKeyCheck} from '../../../src/lib/ssh/host-key-check.js'
import {fingerprint, keyTypeOf, parseKnownHosts} from '../../../src/lib/ssh/known-hosts.js'
import type {ResolvedSshConfig} from '../../../src/lib/ssh/ssh-config.js'
import {ed25519Blob} from '../../helpers/ssh-keys.js'

/** The host key decisions without a server: the verdict given to ssh2, and the refusal's words. */
describe('HostKeyCheck', () => {
  let home: string
  const key = ed25519Blob()
  const other = ed25519Blob()
  const print = `ssh-ed25519 ${fingerprint(key)}`
  const line = (hosts: string, blob: Buffer, marker = '') => `${marker ? marker + ' ' : ''}${hosts} ${keyTypeOf(blob)} ${blob.toString('base64')}`

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-hostkey-'))
    mkdirSync(path.join(home, '.ssh'))
  })

  afterEach(() => rmSync(home, {recursive: true, force: true}))

  function context(knownHosts: string[], overrides: {config?: Partial<ResolvedSshConfig>; acceptNewHostKey?: boolean; file?: string} = {}): HostKeyContext {
    const file = overrides.file ?? path.join(home, '.ssh', 'known_hosts')
    const config: ResolvedSshConfig = {
      alias: 'node-2', hostName: '10.213.0.12', user: 'root', port: 22, identityFiles: [], identitiesOnly: false,
      userKnownHostsFiles: [file], globalKnownHostsFiles: [], strictHostKeyChecking: 'ask', ...overrides.config,
    }
    return {config, target: 'ssh://root@10.213.0.12:22', knownHosts: parseKnownHosts(knownHosts.join('\n'), file), acceptNewHostKey: overrides.acceptNewHostKey ?? false, home}
  }

  async function check(host: HostKeyContext, blob = key): Promise<{trusted: boolean; problem?: string}> {
    const hostKey = new HostKeyCheck(host)
    const trusted = await new Promise<boolean>((resolve) => hostKey.verify(blob, resolve))
    return {trusted, ...(hostKey.problem ? {problem: hostKey.problem.message} : {})}
  }

  it('trusts a key known_hosts has for the host (port 22: the bare name)', async () => {
    expect(await check(context([line('10.213.0.12', key)]))).to.deep.equal({trusted: true})
  })

  it('looks a non-default port up as [host]:port, and under HostKeyAlias by the alias alone', async () => {
    expect(new HostKeyCheck(context([], {config: {port: 2222}})).lookup).to.deep.equal({host: '10.213.0.12', port: 2222})
    expect(await check(context([line('[10.213.0.12]:2222', key)], {config: {port: 2222}}))).to.deep.equal({trusted: true})
    expect(await check(context([line('swarm-key', key)], {config: {port: 2222, hostKeyAlias: 'swarm-key'}}))).to.deep.equal({trusted: true})
  })

  it('refuses an unknown key with its fingerprint and the ssh-keyscan line that trusts it', async () => {
    expect(await check(context([]))).to.deep.equal({
      trusted: false,
      problem: `ssh://root@10.213.0.12:22: unknown host key for 10.213.0.12 (${print}); refusing to connect; if that fingerprint is right, trust it with: ssh-keyscan -H -p 22 10.213.0.12 >> ~/.ssh/known_hosts, or pass --accept-new-host-key`,
    })
    const aliased = await check(context([], {config: {hostKeyAlias: 'swarm-key'}}))
    expect(aliased.problem).to.include(`unknown host key for swarm-key (${print})`)
    expect(aliased.problem).to.include(`trust it with: ssh-keyscan -p 22 10.213.0.12 | sed 's/^[^ ]*/swarm-key/' >> ~/.ssh/known_hosts,`)
  })

  it('records an unknown key with acceptNewHostKey, or StrictHostKeyChecking accept-new or no, then trusts it', async () => {
    const cases: [Partial<ResolvedSshConfig>, boolean][] = [[{}, true], [{strictHostKeyChecking: 'accept-new'}, false], [{strictHostKeyChecking: 'no'}, false]]
    for (const [config, acceptNewHostKey] of cases) {
      const file = path.join(home, '.ssh', `known_hosts_${config.strictHostKeyChecking ?? 'flag'}`)
      expect(await check(context([], {config, acceptNewHostKey, file}))).to.deep.equal({trusted: true})
      const recorded = parseKnownHosts(readFileSync(file, 'utf8'), file)
      expect(recorded.map((entry) => entry.keyBlob.equals(key))).to.deep.equal([true])
    }
  })

  it('says so when the new key cannot be recorded', async () => {
    writeFileSync(path.join(home, 'not-a-dir'), '')
    const file = path.join(home, 'not-a-dir', 'known_hosts')
    const {trusted, problem} = await check(context([], {acceptNewHostKey: true, file}))
    expect(trusted).to.equal(false)
    expect(problem).to.include(`ssh://root@10.213.0.12:22: cannot record the new host key ${print} in ${file}: `)
    expect(problem).to.match(/; expected a writable known_hosts file$/)
  })

  it('refuses a CHANGED key even with acceptNewHostKey, naming file:line and the ssh-keygen -R that removes it', async () => {
    expect(await check(context(['# first line', line('10.213.0.12', other)], {acceptNewHostKey: true}))).to.deep.equal({
      trusted: false,
      problem: `ssh://root@10.213.0.12:22: WARNING: HOST KEY FOR 10.213.0.12 HAS CHANGED (now ${print}; known_hosts has another key at ~/.ssh/known_hosts:2); someone may be intercepting the connection, or the host was reinstalled; refusing to connect; if the change is expected, remove the old key with: ssh-keygen -R '10.213.0.12'`,
    })
    const elsewhere = path.join(home, 'lab_known_hosts')
    const {problem} = await check(context([line('10.213.0.12', other)], {file: elsewhere}))
    expect(problem).to.include(`at ~/lab_known_hosts:1);`)
    expect(problem).to.match(new RegExp(`ssh-keygen -R '10\\.213\\.0\\.12' -f ${elsewhere}$`))
  })

  it('refuses a key marked @revoked, even one known_hosts also lists', async () => {
    expect(await check(context([line('10.213.0.12', key), line('*', key, '@revoked')], {acceptNewHostKey: true}))).to.deep.equal({
      trusted: false,
      problem: `ssh://root@10.213.0.12:22: host key ${print} is marked @revoked in ~/.ssh/known_hosts:2; refusing to connect`,
    })
  })
})
