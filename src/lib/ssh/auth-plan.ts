import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, oneLine, reasonOf} from '../core/errors.js'
import type {ResolvedSshConfig} from './ssh-config.js'
import {tildePath} from './wording.js'

/** The identity files read: private keys swarmnet can use, and why the others are not used. */
export interface Identities<Key = unknown> {
  keys: {file: string; key: Key}[]
  /** Public halves of the identity files (private keys and .pub files), for IdentitiesOnly. */
  publicKeys: Buffer[]
  encrypted: string[]
  unusable: string[]
}

/** One way to log in: the agent (label "agent") or an identity file (its path). */
export interface AuthStep<Method> {
  label: string
  method: Method
}

/** An error from ssh2: `level` says the stage (client-authentication, handshake, agent...). */
export type SshError = Error & {level?: string; code?: string | number}

/** The agent first, then each usable identity file; remembers what was tried for the failure message. */
export class AuthPlan<Method extends {type: string}> {
  started = false
  private readonly queue: AuthStep<Method>[]
  private readonly tried: string[] = []
  private agentKeys: number | undefined
  private agentProblem: string | undefined
  private serverMethods: string[] | undefined

  constructor(private readonly context: {config: ResolvedSshConfig; identities: Identities; home: string}, steps: AuthStep<Method>[]) {
    this.queue = [...steps]
  }

  /** The next method the server still accepts (the agent's keys count as publickey); undefined when none is left. */
  next(methodsLeft: string[] | null): Method | undefined {
    if (methodsLeft) this.serverMethods = methodsLeft
    const allowed = (method: Method) => !methodsLeft || methodsLeft.includes(method.type === 'agent' ? 'publickey' : method.type)
    let step = this.queue.shift()
    while (step && !allowed(step.method)) step = this.queue.shift()
    if (!step) return undefined
    this.started = true
    this.tried.push(step.label)
    return step.method
  }

  agentCounted(count: number): void {
    this.agentKeys = count
  }

  agentFailed(error: Error): void {
    this.agentProblem = oneLine(error.message)
  }

  /** One line: what was tried, what was skipped and why, what the server accepts. */
  failureSummary(serverSaid?: string): string {
    const {config, identities, home} = this.context
    const tried = this.tried.map((label) => (label === 'agent' ? this.agentLabel() : tildePath(label, home)))
    if (!config.agentSocket) tried.unshift('no SSH agent (SSH_AUTH_SOCK is not set)')
    const parts = [`authentication as "${config.user}" failed${serverSaid ? ` (${serverSaid})` : ''}`]
    parts.push(tried.length > 0 ? `tried ${tried.join(', ')}` : 'no key to try')
    if (this.tried.filter((label) => label !== 'agent').length === 0 && identities.keys.length === 0 && identities.encrypted.length === 0) {
      parts.push(config.identityFiles.length > 0 ? `no usable identity file among ${config.identityFiles.map((file) => tildePath(file, home)).join(', ')}` : 'no identity file (~/.ssh/id_ed25519, id_ecdsa, id_rsa) exists')
    }

    if (identities.encrypted.length > 0) {
      parts.push(`skipped passphrase-protected ${identities.encrypted.map((file) => tildePath(file, home)).join(', ')} (swarmnet never asks for passphrases: add the key to your agent with ssh-add)`)
    }

    if (identities.unusable.length > 0) parts.push(`could not use ${identities.unusable.map((file) => tildePath(file, home)).join(', ')}`)
    if (this.serverMethods && !this.serverMethods.includes('publickey')) parts.push(`the server accepts only ${this.serverMethods.join(', ')}`)
    return parts.join('; ')
  }

  private agentLabel(): string {
    if (this.agentProblem) return `the SSH agent (unavailable: ${this.agentProblem})`
    const count = this.agentKeys === undefined ? '' : ` (${this.agentKeys} key${this.agentKeys === 1 ? '' : 's'}${this.context.config.identitiesOnly ? ' matching IdentityFile' : ''})`
    return `the SSH agent${count}`
  }
}

/** The one line a failed handshake or login reads as, once ssh2 has given up. */
export function loginFailure(error: SshError, target: string, auth: AuthPlan<{type: string}>, timeoutMs: number): SwarmnetError {
  if (error.level === 'client-authentication') return new SwarmnetError(`${target}: ${auth.failureSummary()}`)
  if (error.level === 'client-timeout') return new SwarmnetError(`${target}: timed out after ${formatSeconds(timeoutMs)} waiting for the SSH handshake and login`)
  if (typeof error.code === 'number' && auth.started) {
    return new SwarmnetError(`${target}: ${auth.failureSummary(oneLine(error.message))}`)
  }

  if (/before handshake/i.test(error.message)) return new SwarmnetError(`${target}: the server closed the connection before the SSH handshake; expected an SSH server`)
  if (error.level === 'handshake' || error.level === 'protocol') return new SwarmnetError(`${target}: SSH handshake failed: ${oneLine(error.message)}`)
  return new SwarmnetError(`${target}: SSH connection failed: ${reasonOf(error)}`)
}
