import {existsSync} from 'node:fs'

import {IMAGES} from './layout.js'
import {layoutsOf, readState} from './state.js'

/** Whether this machine's kernel can do IPVS (VIPs, the ingress routing mesh). */
export function ipvsAvailable(): boolean {
  return existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs')
}

/** Whether a swarm node address belongs to this machine's lab (per its record). */
export function isLabAddress(address: string): boolean {
  try {
    const state = readState()
    return state ? layoutsOf(state).some((node) => node.ip === address) : false
  } catch {
    return false
  }
}

export const LAB_PROXY_IMAGE = IMAGES.proxy
