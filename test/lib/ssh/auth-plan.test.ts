import {expect} from 'chai'

import {type AuthStep, AuthPlan, type Identities, loginFailure} from '../../../src/lib/ssh/auth-plan.js'
import type {ResolvedSshConfig} from '../../../src/lib/ssh/ssh-config.js'

/** What login tries, in which order, and how its failure reads, without a server. */

const home = '/home/ops'
const target = 'ssh://root@10.213.0.12:22'
type Method = {type: string; name: string}

function config(overrides: Partial<ResolvedSshConfig> = {}): ResolvedSshConfig {
  return {
    alias: 'node-2', hostName: '10.213.0.12', user: 'root', port: 22, identityFiles: [`${home}/.ssh/id_ed25519`], identitiesOnly: false,
    userKnownHostsFiles: [`${home}/.ssh/known_hosts`], globalKnownHostsFiles: [], strictHostKeyChecking: 'ask', ...overrides,
  }
}

function identities(overrides: Partial<Identities> = {}): Identities {
  return {keys: [{file: `${home}/.ssh/id_ed25519`, key: 'parsed'}], publicKeys: [], encrypted: [], unusable: [], ...overrides}
}

/** The plan as ssh2-adapter.ts builds it: the agent (when there is a socket) first, then each key file. */
function plan(options: {config?: ResolvedSshConfig; identities?: Identities} = {}): AuthPlan<Method> {
  const resolved = options.config ?? config({agentSocket: '/run/agent.sock'})
  const found = options.identities ?? identities()
  const steps: AuthStep<Method>[] = resolved.agentSocket ? [{label: 'agent', method: {type: 'agent', name: 'agent'}}] : []
  for (const {file} of found.keys) steps.push({label: file, method: {type: 'publickey', name: file}})
  return new AuthPlan({config: resolved, identities: found, home}, steps)
}

describe('AuthPlan', () => {
  it('offers the agent, then each key file, then nothing more', () => {
    const auth = plan({identities: identities({keys: [{file: `${home}/.ssh/id_ed25519`, key: 1}, {file: '/keys/machine', key: 2}]})})
    expect(auth.started).to.equal(false)
    expect([auth.next(null), auth.next(['publickey']), auth.next(['publickey']), auth.next(['publickey'])].map((method) => method?.name)).to.deep.equal(['agent', `${home}/.ssh/id_ed25519`, '/keys/machine', undefined])
    expect(auth.started).to.equal(true)
  })

  it('skips what the server does not accept (the agent counts as publickey), and says what it accepts', () => {
    const auth = plan()
    expect(auth.next(['password', 'keyboard-interactive'])).to.equal(undefined)
    expect(auth.started).to.equal(false)
    expect(auth.failureSummary()).to.equal('authentication as "root" failed; no key to try; the server accepts only password, keyboard-interactive')
  })

  it('sums up what was tried: the agent with its key count (matching IdentityFile under IdentitiesOnly), files as ~/…', () => {
    const auth = plan()
    auth.next(null)
    auth.agentCounted(2)
    auth.next(['publickey'])
    expect(auth.failureSummary()).to.equal('authentication as "root" failed; tried the SSH agent (2 keys), ~/.ssh/id_ed25519')
    const only = plan({config: config({agentSocket: '/run/agent.sock', identitiesOnly: true}), identities: identities({keys: []})})
    only.next(null)
    only.agentCounted(1)
    expect(only.failureSummary('Permission denied')).to.equal('authentication as "root" failed (Permission denied); tried the SSH agent (1 key matching IdentityFile); no usable identity file among ~/.ssh/id_ed25519')
  })

  it('names an agent that failed, and no agent at all', () => {
    const auth = plan()
    auth.next(null)
    auth.agentFailed(new Error('connect ENOENT /run/agent.sock\n'))
    expect(auth.failureSummary()).to.equal('authentication as "root" failed; tried the SSH agent (unavailable: connect ENOENT /run/agent.sock)')
    const none = plan({config: config({identityFiles: []}), identities: identities({keys: []})})
    expect(none.next(null)).to.equal(undefined)
    expect(none.failureSummary()).to.equal('authentication as "root" failed; tried no SSH agent (SSH_AUTH_SOCK is not set); no identity file (~/.ssh/id_ed25519, id_ecdsa, id_rsa) exists')
  })

  it('lists passphrase-protected keys it skipped (with ssh-add) and files it could not use', () => {
    const auth = plan({
      config: config(),
      identities: identities({keys: [], encrypted: [`${home}/.ssh/id_rsa`], unusable: [`${home}/.ssh/id_ecdsa (not a private key)`]}),
    })
    expect(auth.failureSummary()).to.equal('authentication as "root" failed; tried no SSH agent (SSH_AUTH_SOCK is not set); ' +
      'skipped passphrase-protected ~/.ssh/id_rsa (swarmnet never asks for passphrases: add the key to your agent with ssh-add); ' +
      'could not use ~/.ssh/id_ecdsa (not a private key)')
  })
})

describe('loginFailure', () => {
  const failure = (error: Error & {level?: string; code?: string | number}, auth = plan()) => loginFailure(error, target, auth, 1500).message

  it('authentication: the plan\'s summary; a numbered disconnect after auth started: the summary with what the server said', () => {
    expect(failure(Object.assign(new Error('All configured authentication methods failed'), {level: 'client-authentication'}))).to.equal(`${target}: authentication as "root" failed; no key to try`)
    const auth = plan()
    auth.next(null)
    expect(failure(Object.assign(new Error('Too many\nauthentication failures'), {code: 2}), auth)).to.equal(`${target}: authentication as "root" failed (Too many authentication failures); tried the SSH agent`)
  })

  it('timeout, a server that hung up before the handshake, a handshake error, anything else', () => {
    expect(failure(Object.assign(new Error('Timed out while waiting for handshake'), {level: 'client-timeout'}))).to.equal(`${target}: timed out after 1.5s waiting for the SSH handshake and login`)
    expect(failure(Object.assign(new Error('Connection lost before handshake'), {level: 'client-socket'}))).to.equal(`${target}: the server closed the connection before the SSH handshake; expected an SSH server`)
    expect(failure(Object.assign(new Error('Handshake failed: no matching host key format'), {level: 'handshake'}))).to.equal(`${target}: SSH handshake failed: Handshake failed: no matching host key format`)
    expect(failure(Object.assign(new Error('Bad packet length'), {level: 'protocol'}))).to.equal(`${target}: SSH handshake failed: Bad packet length`)
    expect(failure(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET', level: 'client-socket'}))).to.match(new RegExp(`^${target.replaceAll('.', '\\.')}: SSH connection failed: `))
  })
})
