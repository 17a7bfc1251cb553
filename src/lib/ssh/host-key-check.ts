import {SwarmnetError, reasonOf} from '../core/errors.js'
import {type KnownHostEntry, appendKnownHost, checkHostKey, fingerprint, keyTypeOf, knownHostsName} from './known-hosts.js'
import type {ResolvedSshConfig} from './ssh-config.js'
import {tildePath} from './wording.js'

export interface HostKeyContext {
  config: ResolvedSshConfig
  /** "ssh://root@10.213.0.12:22", for messages. */
  target: string
  knownHosts: KnownHostEntry[]
  /** Trust and record a host key seen for the first time (--accept-new-host-key). */
  acceptNewHostKey: boolean
  home: string
}

/** Host key verification against known_hosts, with OpenSSH's StrictHostKeyChecking rules. */
export class HostKeyCheck {
  problem: SwarmnetError | undefined
  readonly lookup: {host: string; port?: number}

  constructor(private readonly context: HostKeyContext) {
    const {config} = context
    this.lookup = config.hostKeyAlias ? {host: config.hostKeyAlias} : {host: config.hostName, port: config.port}
  }

  /** Answers `verify` with the verdict (asynchronously when it records a new key); on a refusal, `problem` says why. */
  verify(key: Buffer, verify: (trusted: boolean) => void): void {
    const {config, target, knownHosts, acceptNewHostKey, home} = this.context
    const keyType = keyTypeOf(key)
    const print = `${keyType} ${fingerprint(key)}`
    const name = knownHostsName(this.lookup)
    const verdict = checkHostKey(knownHosts, this.lookup, keyType, key)
    const refuse = (message: string) => {
      this.problem = new SwarmnetError(`${target}: ${message}`)
      verify(false)
    }

    switch (verdict.status) {
      case 'match': {
        verify(true)
        return
      }

      case 'revoked': {
        refuse(`host key ${print} is marked @revoked in ${tildePath(verdict.file, home)}:${verdict.line}; refusing to connect`)
        return
      }

      case 'changed': {
        const file = tildePath(verdict.file, home)
        const fileFlag = file === '~/.ssh/known_hosts' ? '' : ` -f ${verdict.file}`
        refuse(`WARNING: HOST KEY FOR ${name} HAS CHANGED (now ${print}; known_hosts has another key at ${file}:${verdict.line}); someone may be intercepting the connection, or the host was reinstalled; refusing to connect; if the change is expected, remove the old key with: ssh-keygen -R '${name}'${fileFlag}`)
        return
      }

      case 'unknown': {
        const strict = config.strictHostKeyChecking
        if (!acceptNewHostKey && strict !== 'accept-new' && strict !== 'no') {
          const known = tildePath(config.userKnownHostsFiles[0], home)
          const scan = `ssh-keyscan -H -p ${config.port} ${config.hostName}`
          // Under HostKeyAlias the line must carry the alias, not the scanned name.
          const trust = config.hostKeyAlias ? `${scan.replace(' -H', '')} | sed 's/^[^ ]*/${config.hostKeyAlias}/' >> ${known}` : `${scan} >> ${known}`
          refuse(`unknown host key for ${name} (${print}); refusing to connect; if that fingerprint is right, trust it with: ${trust}, or pass --accept-new-host-key`)
          return
        }

        this.record(key, print, verify)
      }
    }
  }

  /** Trust on first use: append to the first user known_hosts file, then proceed. */
  private record(key: Buffer, print: string, verify: (trusted: boolean) => void): void {
    const {config, target} = this.context
    const file = config.userKnownHostsFiles[0]
    appendKnownHost(file, this.lookup, key).then(
      () => verify(true),
      (error: unknown) => {
        this.problem = new SwarmnetError(`${target}: cannot record the new host key ${print} in ${file}: ${reasonOf(error)}; expected a writable known_hosts file`)
        verify(false)
      },
    )
  }
}
