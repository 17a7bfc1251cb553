import {existsSync} from 'node:fs'

import {IMAGES} from './layout.js'
import {layoutsOf, readState} from './state.js'

/** Whether this machine's kernel can do IPVS (VIPs, the ingress routing mesh). */
export function ipvsAvailable(): boolean {
  return existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs')
}

/** The swarm node addresses of this machine's lab (per its record); none without one, or with an unreadable one. */
export function labAddresses(): string[] {
  try {
    const state = readState()
    return state ? layoutsOf(state).map((node) => node.ip) : []
  } catch {
    return []
  }
}

export const LAB_PROXY_IMAGE = IMAGES.proxy
