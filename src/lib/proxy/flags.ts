import {Flags} from '@oclif/core'
import {parseDuration} from '../core/input.js'

/** Flags every proxy and route command shares. */
export const proxyFlag = Flags.string({summary: 'The proxy service (default: the service named "proxy", else the one docker-flow-proxy service).'})
export const verboseFlag = Flags.boolean({char: 'v', summary: "Show how each replica's API was reached."})

/** --wait, shared by every command that reads or sends to the proxy's replicas. */
export const waitFlag = Flags.string({
  summary: 'How long to wait for a replica that should run but cannot be read yet (being replaced, pending, starting, API not answering yet); 0 does not wait.',
  default: '20s',
})

/** --wait's value in ms ("0" allowed: report such replicas at once); a usage error before anything connects. */
export function waitMsOf(text: string): number {
  return /^0+(\.0+)?(ms|s|m)?$/.test(text.trim()) ? 0 : parseDuration(text, '--wait')
}
