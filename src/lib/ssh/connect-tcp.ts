import net from 'node:net'

import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, reasonOf} from '../core/errors.js'
import type {ResolvedSshConfig} from './ssh-config.js'

/** Connects the TCP socket ourselves, so refused / unknown host / timeout each get their own words. */
export async function connectTcp(config: ResolvedSshConfig, target: string, timeoutMs: number): Promise<net.Socket> {
  const via = config.alias.toLowerCase() === config.hostName ? '' : ` (ssh config Host ${config.alias})`
  return new Promise((resolve, reject) => {
    const sock = net.connect({host: config.hostName, port: config.port})
    const fail = (why: string) => {
      clearTimeout(timer)
      sock.destroy()
      reject(new SwarmnetError(`${target}: ${why}${via}`))
    }

    const timer = setTimeout(() => fail(`timed out after ${formatSeconds(timeoutMs)} connecting`), timeoutMs)
    sock.once('error', (error: NodeJS.ErrnoException) => fail(connectFailure(error, config)))
    sock.once('connect', () => {
      clearTimeout(timer)
      sock.removeAllListeners('error')
      resolve(sock)
    })
  })
}

/** Why the TCP connection failed, as the message says it. */
export function connectFailure(error: NodeJS.ErrnoException, config: ResolvedSshConfig): string {
  switch (error.code) {
    case 'ECONNREFUSED': return `connection refused; expected an SSH server on port ${config.port}`
    case 'ENOTFOUND': return `host name "${config.hostName}" not found`
    case 'EAI_AGAIN': return `host name lookup for "${config.hostName}" failed (DNS unavailable)`
    default: return `cannot connect: ${reasonOf(error)}`
  }
}
