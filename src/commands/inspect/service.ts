import {Args} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type ServiceInspection, inspectService} from '../../lib/inspect/service.js'
import {checkServiceRef} from '../../lib/core/input.js'
import {colour, renderTable} from '../../lib/ui/output.js'
import {proxyFlag} from '../../lib/proxy/flags.js'
import {withSpinner} from '../../lib/ui/progress.js'

export default class InspectService extends SwarmnetCommand<typeof InspectService> {
  static summary = "Show a service's networking: VIPs, ports, tasks and IPs, and whether the proxy routes to it"
  static description = 'Endpoint mode, the VIP on each network, published ports with their mode, every task with its node, state and IP per network, its com.df.* route labels, and whether each proxy replica holds its route.'
  static examples = ['<%= config.bin %> <%= command.id %> go-demo', '<%= config.bin %> <%= command.id %> go-demo --json']
  static args = {service: Args.string({description: 'service name or id', required: true})}
  static flags = {proxy: proxyFlag}

  async run(): Promise<ServiceInspection> {
    checkServiceRef(this.args.service)
    const cluster = await this.cluster()
    const s = await withSpinner('Inspecting', () => inspectService(cluster, this.args.service, {proxy: this.flags.proxy, json: this.jsonEnabled()}), {quiet: this.jsonEnabled()})
    this.log(`${colour.bold(s.name)}  ${s.id.slice(0, 12)}  ${s.image}  ${s.mode}${s.replicas === undefined ? '' : ` (${s.replicas})`}  endpoint ${s.endpointMode}`)
    this.log(renderTable(['NETWORK', 'VIP', 'PROXY NETWORK'], s.networks.map((n) => [n.name, n.vip ?? (s.endpointMode === 'dnsrr' ? 'dnsrr' : ''), n.onProxyNetwork ? 'yes' : ''])))
    if (s.ports.length > 0) this.log(renderTable(['PUBLISHED', 'TARGET', 'PROTOCOL', 'MODE'], s.ports.map((p) => [p.publishedPort ?? '', p.targetPort, p.protocol, p.publishMode])))
    const networks = s.networks.map((n) => n.name)
    this.log(s.tasks.length > 0 ? renderTable(['TASK', 'NODE', 'STATE', ...networks.map((n) => n.toUpperCase())], s.tasks.map((t) => [t.task, t.node, t.error ? `${t.state}: ${t.error}` : t.state, ...networks.map((n) => t.ips[n] ?? '')])) : '(no task)')
    const route = s.route.destinations.map((d) => `${[...d.paths, ...d.domains].join(' ')} → :${d.port}${d.index ? ` (#${d.index})` : ''}`).join('; ')
    this.log(`Route: ${route || 'none labelled'}${s.route.proxy ? `  on ${s.route.proxy}: ${Object.entries(s.route.replicas).map(([task, state]) => `${task} ${state}`).join(', ') || 'no replica'}` : ''}`)
    if (s.route.note) this.log(colour.dim(s.route.note))
    for (const problem of s.problems) this.log(colour.red(`✗ ${problem}`))
    return s
  }
}
