import {colour, renderTable, yes} from '../ui/output.js'
import type {NetworkInspection, OverlayNetwork} from './network.js'

/** What `network ls` prints: one row per overlay network. */
export function renderNetworks(networks: OverlayNetwork[]): string {
  return renderTable(
    ['NAME', 'ID', 'SUBNET', 'GATEWAY', 'ATTACHABLE', 'ENCRYPTED', 'INGRESS', 'SERVICES'],
    networks.map((n) => [
      n.name,
      n.id.slice(0, 12),
      n.subnets.map((s) => s.subnet).join(', '),
      n.subnets.map((s) => s.gateway ?? '').join(', '),
      yes(n.attachable),
      yes(n.encrypted),
      yes(n.ingress),
      n.services.join(', '),
    ]),
  )
}

/** What `network inspect` prints: the network, its peers, and per service its VIP and task IPs. */
export function renderNetworkInspection({network, peers, services}: NetworkInspection): string {
  const mtu = network.options['com.docker.network.driver.mtu']
  const rows = services.flatMap((s) =>
    s.tasks.length > 0
      ? s.tasks.map((t) => [s.name, s.vip ?? s.endpointMode, t.task, t.node, t.ip, t.state])
      : [[s.name, s.vip ?? s.endpointMode, '(no running task)', '', '', '']],
  )
  return [
    `${colour.bold(network.name)}  ${network.id.slice(0, 12)}  ${network.driver}/${network.scope}`,
    `subnet ${network.subnets.map((s) => `${s.subnet}${s.gateway ? ` via ${s.gateway}` : ''}`).join(', ') || '-'}` +
      `  attachable ${yes(network.attachable) || 'no'}  encrypted ${yes(network.encrypted) || 'no'}${mtu ? `  mtu ${mtu}` : ''}`,
    `\n${colour.bold('PEERS')}`,
    peers.length > 0 ? renderTable(['NODE', 'ADDRESS'], peers.map((p) => [p.name, p.ip])) : '(none: no task uses this network yet)',
    `\n${colour.bold('SERVICES')}`,
    rows.length > 0 ? renderTable(['SERVICE', 'VIP', 'TASK', 'NODE', 'TASK IP', 'STATE'], rows) : '(none attached)',
  ].join('\n')
}
