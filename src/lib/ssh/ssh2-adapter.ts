import {existsSync, readFileSync} from 'node:fs'
import type net from 'node:net'
import type {AnyAuthMethod, AuthenticationType, Client, ClientChannel, IdentityCallback, ParsedKey, ServerHostKeyAlgorithm, VerifyCallback} from 'ssh2'

import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, reasonOf} from '../core/errors.js'
import {type AuthStep, AuthPlan, type Identities, type SshError, loginFailure} from './auth-plan.js'
import {type HostKeyContext, HostKeyCheck} from './host-key-check.js'
import {knownKeyTypes} from './known-hosts.js'

/**
 * The one file that imports ssh2: loading it (lazily: it is CommonJS with native parts), reading
 * keys with it, the agent, and the handshake and login. What to try, what to trust and how failures
 * read are decided in auth-plan.ts and host-key-check.ts, which tests reach without a server.
 */

export type Ssh2 = typeof import('ssh2')
/** The logged-in connection and its channels, as the session uses them. */
export type SshConnection = Client
export type SshChannel = ClientChannel

let ssh2Loaded: Promise<Ssh2> | undefined

/** ssh2 is CommonJS: its namespace is the default export. */
export async function loadSsh2(): Promise<Ssh2> {
  ssh2Loaded ??= import('ssh2').then((module) => (module as unknown as {default: Ssh2}).default)
  return ssh2Loaded
}

/** Reads each identity file that exists; passphrase-protected keys are skipped (swarmnet never prompts). */
export function loadIdentities(ssh2: Ssh2, files: string[]): Identities<ParsedKey> {
  const result: Identities<ParsedKey> = {keys: [], publicKeys: [], encrypted: [], unusable: []}
  for (const file of new Set(files)) {
    const publicFile = readPublicKey(ssh2, `${file}.pub`)
    if (publicFile) result.publicKeys.push(publicFile)
    if (!existsSync(file)) continue
    let parsed: ReturnType<typeof ssh2.utils.parseKey>
    try {
      parsed = ssh2.utils.parseKey(readFileSync(file))
    } catch (error) {
      result.unusable.push(`${file} (${reasonOf(error)})`)
      continue
    }

    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed
    if (key instanceof Error) {
      if (/passphrase|encrypted/i.test(key.message)) result.encrypted.push(file)
      else result.unusable.push(`${file} (not a private key ssh2 can read)`)
      continue
    }

    if (!key.isPrivateKey()) {
      result.unusable.push(`${file} (not a private key)`)
      continue
    }

    result.keys.push({file, key})
    result.publicKeys.push(key.getPublicSSH())
  }

  return result
}

function readPublicKey(ssh2: Ssh2, file: string): Buffer | undefined {
  if (!existsSync(file)) return undefined
  try {
    const parsed = ssh2.utils.parseKey(readFileSync(file))
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed
    return key instanceof Error ? undefined : key.getPublicSSH()
  } catch {
    return undefined
  }
}

export interface LoginContext extends HostKeyContext {
  identities: Identities<ParsedKey>
  remainingMs: number
}

/** SSH handshake (host key checked), then login; resolves with the ready client. */
export async function login(ssh2: Ssh2, sock: net.Socket, context: LoginContext): Promise<Client> {
  const {config, target, remainingMs} = context
  const auth = authPlan(ssh2, context)
  const hostKey = new HostKeyCheck(context)
  const client = new ssh2.Client()
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (error?: SwarmnetError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (!error) return resolve(client)
      client.destroy()
      sock.destroy()
      reject(error)
    }

    const timer = setTimeout(() => finish(new SwarmnetError(`${target}: timed out after ${formatSeconds(remainingMs)} waiting for the SSH handshake and login`)), remainingMs)
    client.on('ready', () => finish())
    client.on('error', (error: SshError) => {
      if (error.level === 'agent') return auth.agentFailed(error) // ssh2 goes on with the next method
      finish(hostKey.problem ?? loginFailure(error, target, auth, remainingMs))
    })
    client.on('close', () => finish(hostKey.problem ?? new SwarmnetError(`${target}: the server closed the connection during the SSH handshake`)))
    // Ask for the key types known_hosts has for this host first, as OpenSSH does, so a server
    // with several host keys shows the one we can check.
    const preferred = hostKeyAlgorithms(knownKeyTypes(context.knownHosts, hostKey.lookup))
    try {
      client.connect({
        sock,
        username: config.user,
        readyTimeout: remainingMs,
        // ssh2 takes false as "no more methods"
        authHandler: (methodsLeft, _partial, next) => next(auth.next(methodsLeft) ?? (false as unknown as AuthenticationType)),
        hostVerifier: (key: Buffer, verify: VerifyCallback) => hostKey.verify(key, verify),
        ...(preferred.length > 0 ? {algorithms: {serverHostKey: {remove: preferred, prepend: preferred, append: []}}} : {}),
      })
    } catch (error) {
      finish(new SwarmnetError(`${target}: SSH connection failed: ${reasonOf(error)}`))
    }
  })
}

/** ssh2's names for the signature algorithms of known key types, asked for first as OpenSSH does. */
function hostKeyAlgorithms(keyTypes: string[]): ServerHostKeyAlgorithm[] {
  const names: Record<string, ServerHostKeyAlgorithm[]> = {
    'ssh-ed25519': ['ssh-ed25519'],
    'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
    'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
    'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
    'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  }
  return keyTypes.flatMap((type) => names[type] ?? [])
}

/** The agent (when SSH_AUTH_SOCK or IdentityAgent names one), then each usable identity file. */
function authPlan(ssh2: Ssh2, context: LoginContext): AuthPlan<AnyAuthMethod> {
  const {config, identities} = context
  const username = config.user
  const steps: AuthStep<AnyAuthMethod>[] = []
  if (config.agentSocket) {
    const agent = countingAgent(ssh2, config.agentSocket, config.identitiesOnly ? identities.publicKeys : undefined, (count) => plan.agentCounted(count))
    steps.push({label: 'agent', method: {type: 'agent', username, agent}})
  }

  for (const {file, key} of identities.keys) steps.push({label: file, method: {type: 'publickey', username, key}})
  const plan = new AuthPlan(context, steps)
  return plan
}

/** The agent at `socketPath`, reporting how many keys it offers, limited to `only` under IdentitiesOnly. */
function countingAgent(ssh2: Ssh2, socketPath: string, only: Buffer[] | undefined, onCount: (count: number) => void) {
  class CountingAgent extends ssh2.OpenSSHAgent {
    override getIdentities(callback: IdentityCallback<ParsedKey>): void {
      super.getIdentities((error, keys) => {
        if (error || !keys) return callback(error, keys)
        const offered = only ? keys.filter((key) => 'getPublicSSH' in key && only.some((blob) => blob.equals(key.getPublicSSH()))) : keys
        onCount(offered.length)
        callback(undefined, offered)
      })
    }
  }

  return new CountingAgent(socketPath)
}
