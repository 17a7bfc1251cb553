import {ipvsAvailable, labAddresses} from '../lab/detect.js'

/**
 * Facts about the machine swarmnet runs on, read once at the edge (the command) and passed in, so
 * the features that depend on them can be given any in their tests.
 */
export interface Environment {
  /** This machine's kernel can do IPVS (VIPs, the ingress routing mesh). */
  ipvs: boolean
  /** The swarm node addresses of this machine's lab, per its record; none without one. */
  labAddresses: string[]
}

export function readEnvironment(): Environment {
  return {ipvs: ipvsAvailable(), labAddresses: labAddresses()}
}
