import {Flags} from '@oclif/core'

/** Flags every proxy and route command shares. */
export const proxyFlag = Flags.string({summary: 'The proxy service (default: the service named "proxy", else the one docker-flow-proxy service).'})
export const verboseFlag = Flags.boolean({char: 'v', summary: "Show how each replica's API was reached."})
