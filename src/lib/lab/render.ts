import {colour, renderTable} from '../ui/output.js'
import type {LabStatus} from './lab.js'

const mark = (ok: boolean) => (ok ? colour.green('yes') : colour.red('no'))

/** The lab's nodes as a table, with the IPVS note under it. */
export function renderLabNodes(status: LabStatus): string {
  const table = renderTable(
    ['NODE', 'ROLE', 'ADDRESS', 'ENGINE', 'DAEMON', 'SWARM', 'SSH', 'IMAGES', 'PROBLEM'],
    status.nodes.map((n) => [n.name, n.leader ? `${n.role} (leader)` : n.role, n.address, n.engine, mark(n.daemon), n.swarm, mark(n.ssh_ok), mark(n.images), n.problem ?? '']),
  )
  const port = status.nodes.length > 0 ? `\nData-path (VXLAN) port: ${status.dataPathPort}/udp.` : ''
  return `${table}${port}\n\n${status.ipvs ? status.note : colour.yellow(`Note: ${status.note}.`)}`
}
