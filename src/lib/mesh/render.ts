import {colour, renderTable} from '../ui/output.js'
import type {MeshResult} from './mesh.js'

/** What `mesh check` prints: one row per node and port, then one verdict per port. */
export function renderMesh(result: MeshResult): string {
  const paint = (r: string) => (r === 'answered' ? colour.green(r) : colour.red(r))
  return [
    renderTable(['NODE', 'ADDRESS', 'PORT', 'MODE', 'TASK HERE', 'RESULT', 'LATENCY', 'ANSWERED BY'], result.probes.map((p) => [
      p.node, p.address, p.port, p.mode, p.runsTask ? 'yes' : '', paint(p.result) + (p.status ? ` ${p.status}` : '') + (p.error ? ` (${p.error})` : ''), p.latencyMs === undefined ? '' : `${p.latencyMs} ms`, p.answeredBy ?? '',
    ])),
    ...result.verdicts.map((v) => (v.ok ? colour.green : colour.red)(`${v.service} :${v.port} — ${v.diagnosis}`)),
  ].join('\n')
}

/** Why `mesh check` fails: each port whose answers are not what its publishing mode promises. */
export function meshFailure(result: MeshResult): string {
  return result.verdicts.filter((v) => !v.ok).map((v) => `${v.service} :${v.port}: ${v.diagnosis}`).join('; ')
}
