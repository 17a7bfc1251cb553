import {colour, renderTable, yes} from '../ui/output.js'
import type {CapacityCounts, NetworkCapacity} from './capacity.js'
import type {ListedOverlay, NetworkInspection} from './network.js'

/** "12/253": addresses used of those usable; coloured from 75% and when full. */
function usedOf(c: CapacityCounts): string {
  const text = `${c.used}/${c.size}`
  return c.size > 0 && c.free === 0 ? colour.red(text) : c.percent >= 75 ? colour.yellow(text) : text
}

/** What `network ls` prints: one row per overlay network. */
export function renderNetworks(networks: ListedOverlay[]): string {
  return renderTable(
    ['NAME', 'ID', 'SUBNET', 'GATEWAY', 'USED', 'FREE', 'ATTACHABLE', 'ENCRYPTED', 'INGRESS', 'SERVICES'],
    networks.map((n) => [
      n.name,
      n.id.slice(0, 12),
      n.subnets.map((s) => s.subnet).join(', '),
      n.subnets.map((s) => s.gateway ?? '').join(', '),
      usedOf(n.capacity),
      n.capacity.free,
      yes(n.attachable),
      yes(n.encrypted),
      yes(n.ingress),
      n.services.join(', '),
    ]),
  )
}

/** What `network inspect` prints: the network, its peers, and per service its VIP and task IPs. */
export function renderNetworkInspection({network, peers, services, capacity}: NetworkInspection): string {
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
    `\n${colour.bold('ADDRESSES')}`,
    renderCapacity(capacity),
    `\n${colour.bold('PEERS')}`,
    peers.length > 0 ? renderTable(['NODE', 'ADDRESS'], peers.map((p) => [p.name, p.ip])) : '(none: no task uses this network yet)',
    `\n${colour.bold('SERVICES')}`,
    rows.length > 0 ? renderTable(['SERVICE', 'VIP', 'TASK', 'NODE', 'TASK IP', 'STATE'], rows) : '(none attached)',
  ].join('\n')
}

/** The breakdown of a network's addresses: who holds them, what is free, and what waits for one. */
export function renderCapacity(c: NetworkCapacity): string {
  const vips = c.vipAddresses.map((v) => (v.address ? `${v.service} ${v.address}` : v.service)).join(', ')
  const rows = [
    ['usable', c.size, c.subnets.map((s) => `${s.subnet}: ${s.usable}`).join(', ')],
    ['VIPs', c.vips, vips],
    ['task addresses', c.tasks, ''],
    ['load-balancer endpoints', c.lbEndpoints, c.lbNodes.join(', ')],
    ['used', usedOf(c), `${c.percent}%`],
    ['free', c.free, ''],
  ]
  const waiting = c.waiting > 0 ? `\n${colour.yellow(`${c.waiting} task(s) hold no address on it yet:`)} ${c.waitingTasks.map((t) => `${t.task} (${t.state}${t.node ? `, ${t.node}` : ''})`).join(', ')}` : ''
  return renderTable(['', 'COUNT', 'WHERE'], rows) + waiting
}
