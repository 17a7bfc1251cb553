import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UsageError} from '../../../src/lib/core/errors.js'
import {resolveSshConfig} from '../../../src/lib/ssh/ssh-config.js'

describe('ssh-config', () => {
  let home: string
  let sshDir: string
  const localUser = os.userInfo().username

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-sshcfg-'))
    sshDir = path.join(home, '.ssh')
    mkdirSync(sshDir)
  })

  afterEach(() => {
    rmSync(home, {recursive: true, force: true})
  })

  const writeConfig = (text: string, name = 'config') => {
    const file = path.join(sshDir, name)
    writeFileSync(file, text)
    return file
  }

  const resolve = (destination: Parameters<typeof resolveSshConfig>[0], env: NodeJS.ProcessEnv = {}, configPath?: string) =>
    resolveSshConfig(destination, {home, env, configPath})

  it('uses OpenSSH defaults when there is no config file', () => {
    writeFileSync(path.join(sshDir, 'id_rsa'), 'x')
    writeFileSync(path.join(sshDir, 'id_ed25519'), 'x')
    const config = resolve('10.0.0.2', {SSH_AUTH_SOCK: '/tmp/agent.sock'})
    expect(config).to.deep.include({
      alias: '10.0.0.2',
      hostName: '10.0.0.2',
      user: localUser,
      port: 22,
      identitiesOnly: false,
      agentSocket: '/tmp/agent.sock',
      strictHostKeyChecking: 'ask',
      configFile: undefined,
    })
    // only the default keys that exist, ed25519 first
    expect(config.identityFiles).to.deep.equal([path.join(sshDir, 'id_ed25519'), path.join(sshDir, 'id_rsa')])
    expect(config.userKnownHostsFiles).to.deep.equal([path.join(sshDir, 'known_hosts'), path.join(sshDir, 'known_hosts2')])
    expect(config.globalKnownHostsFiles).to.deep.equal(['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'])
    expect(config.connectTimeoutMs).to.equal(undefined)
  })

  it('resolves a Host alias: HostName with %h, User, Port, several IdentityFiles with tokens', () => {
    writeConfig(`
Host node-1 node-2
  HostName %h.swarm.example
  User deploy
  Port 2222
  IdentityFile ~/.ssh/swarm_%h_%r
  IdentityFile %d/keys/%u@%n
  IdentitiesOnly yes
  HostKeyAlias swarm-%h

Host *
  User nobody
  Port 22
  IdentityFile ~/.ssh/fallback
`)
    const config = resolve('node-1')
    expect(config).to.deep.include({
      alias: 'node-1',
      hostName: 'node-1.swarm.example',
      user: 'deploy',
      port: 2222,
      identitiesOnly: true,
      hostKeyAlias: 'swarm-%h', // HostKeyAlias takes no tokens in OpenSSH either
      configFile: path.join(sshDir, 'config'),
    })
    expect(config.identityFiles).to.deep.equal([
      path.join(sshDir, 'swarm_node-1.swarm.example_deploy'),
      path.join(home, 'keys', `${localUser}@node-1`),
      path.join(sshDir, 'fallback'), // IdentityFile accumulates over blocks, as in ssh
    ])
  })

  it('lets user and port from the ssh:// address win over the config', () => {
    writeConfig('Host node-1\n  User deploy\n  Port 2222\n  IdentityFile ~/.ssh/%r_key\n')
    const config = resolve({host: 'node-1', user: 'admin', port: 2200})
    expect(config.user).to.equal('admin')
    expect(config.port).to.equal(2200)
    expect(config.identityFiles).to.deep.equal([path.join(sshDir, 'admin_key')])
  })

  it('takes the first value obtained, so a leading Host * wins over later blocks', () => {
    writeConfig('Host *\n  User first\n\nHost node-1\n  User second\n  Port 2022\n')
    expect(resolve('node-1')).to.deep.include({user: 'first', port: 2022})
  })

  it('matches Host patterns with wildcards and negation, case-sensitively like ssh -G', () => {
    writeConfig(`
Host node-*  !node-bastion
  User swarm

Host *.internal
  Port 2200
`)
    expect(resolve('node-3').user).to.equal('swarm')
    expect(resolve('NODE-3').user).to.equal(localUser)
    expect(resolve('NODE-3').hostName).to.equal('node-3')
    expect(resolve('node-bastion').user).to.equal(localUser)
    expect(resolve('db.internal').port).to.equal(2200)
  })

  it('reads known_hosts settings, StrictHostKeyChecking and ConnectTimeout', () => {
    writeConfig(`
Host node-1
  UserKnownHostsFile ~/.ssh/kh_%h /tmp/second_known_hosts
  GlobalKnownHostsFile /etc/swarm_known_hosts
  StrictHostKeyChecking accept-new
  ConnectTimeout 7

Host node-2
  StrictHostKeyChecking no

Host node-3
  StrictHostKeyChecking yes
`)
    const config = resolve('node-1')
    expect(config.userKnownHostsFiles).to.deep.equal([path.join(sshDir, 'kh_node-1'), '/tmp/second_known_hosts'])
    expect(config.globalKnownHostsFiles).to.deep.equal(['/etc/swarm_known_hosts'])
    expect(config.strictHostKeyChecking).to.equal('accept-new')
    expect(config.connectTimeoutMs).to.equal(7000)
    expect(resolve('node-2').strictHostKeyChecking).to.equal('no')
    expect(resolve('node-3').strictHostKeyChecking).to.equal('yes')
  })

  it('follows Include (relative to ~/.ssh, with wildcards)', () => {
    mkdirSync(path.join(sshDir, 'config.d'))
    writeFileSync(path.join(sshDir, 'config.d', 'swarm.conf'), 'Host node-9\n  HostName 10.9.9.9\n  User nine\n')
    writeFileSync(path.join(sshDir, 'config.d', 'other.conf'), 'Host other\n  HostName 10.1.1.1\n')
    writeConfig('Include config.d/*.conf\n\nHost *\n  User everyone\n')
    expect(resolve('node-9')).to.deep.include({hostName: '10.9.9.9', user: 'nine'})
    expect(resolve('other')).to.deep.include({hostName: '10.1.1.1', user: 'everyone'})
  })

  it('takes IdentityAgent and SSH_AUTH_SOCK from the environment', () => {
    writeConfig('Host no-agent\n  IdentityAgent none\n\nHost own-agent\n  IdentityAgent ~/.agent.sock\n')
    expect(resolve('no-agent', {SSH_AUTH_SOCK: '/tmp/a'}).agentSocket).to.equal(undefined)
    expect(resolve('own-agent', {SSH_AUTH_SOCK: '/tmp/a'}).agentSocket).to.equal(path.join(home, '.agent.sock'))
    expect(resolve('other', {}).agentSocket).to.equal(undefined)
  })

  it('reports ProxyJump so the client can refuse it', () => {
    writeConfig('Host behind\n  ProxyJump bastion\n')
    expect(resolve('behind').proxyJump).to.equal('bastion')
    expect(resolve('direct').proxyJump).to.equal(undefined)
  })

  it('reads an explicit file (ssh -F), also from SWARMNET_SSH_CONFIG, and "none" reads nothing', () => {
    writeConfig('Host node-1\n  User from-default\n')
    const explicit = path.join(home, 'swarm_ssh_config')
    writeFileSync(explicit, 'Host node-1\n  User from-explicit\n')
    expect(resolve('node-1', {}, explicit).user).to.equal('from-explicit')
    expect(resolve('node-1', {SWARMNET_SSH_CONFIG: explicit}).user).to.equal('from-explicit')
    expect(resolve('node-1', {}, 'none').user).to.equal(localUser)
    expect(resolve('node-1').user).to.equal('from-default')
  })

  it('fails with a usage error naming a missing explicit file', () => {
    const missing = path.join(home, 'nope', 'config')
    expect(() => resolve('node-1', {}, missing)).to.throw(UsageError, missing).with.property('exitCode', 2)
  })

  it('fails with usage errors for bad values, naming them', () => {
    writeConfig(`
Host bad-port
  Port 99999
Host bad-strict
  StrictHostKeyChecking maybe
Host bad-timeout
  ConnectTimeout soon
Host bad-token
  IdentityFile ~/.ssh/%z
Host bad-env
  IdentityFile \${SWARMNET_TEST_UNSET_VAR}/key
`)
    expect(() => resolve('bad-port')).to.throw(UsageError, /invalid Port "99999"/)
    expect(() => resolve('bad-strict')).to.throw(UsageError, /StrictHostKeyChecking "maybe"/)
    expect(() => resolve('bad-timeout')).to.throw(UsageError, /ConnectTimeout "soon"/)
    expect(() => resolve('bad-token')).to.throw(UsageError, /unknown token %z/)
    expect(() => resolve('bad-env')).to.throw(UsageError, /SWARMNET_TEST_UNSET_VAR/)
  })

  it('expands ${VAR} from the given environment', () => {
    writeConfig('Host node-1\n  IdentityFile ${KEYS}/node\n')
    expect(resolve('node-1', {KEYS: '/srv/keys'}).identityFiles).to.deep.equal(['/srv/keys/node'])
  })
})
