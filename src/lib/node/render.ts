import type {SwarmNode} from '../docker/engine.js'
import {colour, renderTable, yes} from '../ui/output.js'

/** What `node ls` prints: one row per node, its status green when ready. */
export function renderNodes(nodes: SwarmNode[]): string {
  return renderTable(
    ['HOSTNAME', 'ID', 'ROLE', 'LEADER', 'STATUS', 'AVAILABILITY', 'ADDRESS', 'ENGINE'],
    nodes.map((n) => [n.hostname, n.id.slice(0, 12), n.role, yes(n.leader), statusColour(n.status), n.availability, n.address, n.engineVersion]),
  )
}

function statusColour(status: string): string {
  return status === 'ready' ? colour.green(status) : colour.red(status)
}
