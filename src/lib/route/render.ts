import {colour, renderTable} from '../ui/output.js'
import type {ReplicaRow} from './context.js'
import type {RouteListing} from './ls.js'
import type {LiveState} from './survey.js'
import type {ReplicaSync, SyncResult} from './sync.js'
import type {VerifyRow} from './verify.js'

const RESULT_COLOUR: Record<ReplicaRow['result'], (text: string) => string> = {
  ok: colour.green,
  refused: colour.red,
  failed: colour.red,
  unreachable: colour.red,
  'not running': colour.yellow,
  'rolled back': colour.yellow,
}

/** One row per replica; --verbose adds how each API was reached (and why, when it fell back). */
export function renderReplicaRows(rows: ReplicaRow[], verbose: boolean, extra?: {head: string; cell: (row: ReplicaRow) => string}): string {
  const head = ['NODE', 'TASK', ...(extra ? [extra.head] : []), 'RESULT', ...(verbose ? ['API', 'HOW'] : [])]
  return renderTable(
    head,
    rows.map((r) => [
      r.node,
      r.task,
      ...(extra ? [extra.cell(r)] : []),
      RESULT_COLOUR[r.result](r.message ? `${r.result}: ${r.message}` : r.result),
      ...(verbose ? [r.via ?? '', [r.target, r.note ? `(${r.note})` : ''].filter(Boolean).join(' ')] : []),
    ]),
  )
}

export function renderVerifyRows(rows: VerifyRow[]): string {
  return renderTable(
    ['NODE', 'URL', 'MODE', 'RESULT', 'LATENCY'],
    rows.map((r) => [r.node, r.url, r.mode, (r.ok ? colour.green : colour.red)(r.message), r.latencyMs === undefined ? '' : `${r.latencyMs} ms`]),
  )
}

const STATE_COLOUR: Record<LiveState, (text: string) => string> = {live: colour.green, missing: colour.red, differs: colour.yellow, unknown: colour.dim}

export function renderRouteListing(listing: RouteListing, verbose: boolean): string {
  const tasks = listing.replicas.filter((r) => r.result === 'ok' || r.result === 'unreachable').map((r) => r.task)
  const routes = listing.routes.flatMap((route) =>
    route.destinations.map((d, i) => [
      i === 0 ? route.service : '',
      d.index === 0 ? '' : String(d.index),
      d.paths.join(','),
      d.port,
      d.domains.join(',') || (d.srcPort ? `:${d.srcPort} ${d.reqMode}` : ''),
      ...tasks.map((task) => (i === 0 ? STATE_COLOUR[route.replicas[task] ?? 'unknown'](route.replicas[task] ?? 'unknown') : '')),
      i === 0 && route.problem ? colour.yellow(route.problem) : '',
    ]),
  )
  const parts = [
    routes.length > 0 ? renderTable(['SERVICE', '#', 'PATHS', 'PORT', 'DOMAINS', ...tasks.map((t) => t.toUpperCase()), 'PROBLEM'], routes) : 'No labelled routes.',
  ]
  if (listing.unlabelled.length > 0) parts.push(colour.yellow(`Held but not labelled: ${listing.unlabelled.map((u) => `${u.service} (${u.replicas.join(', ')})`).join('; ')}.`))
  const down = listing.replicas.filter((r) => r.result !== 'ok')
  if (down.length > 0 || verbose) parts.push(renderReplicaRows(verbose ? listing.replicas : down, verbose))
  const count = `${listing.read} of ${listing.desired} replica(s) read`
  parts.push(listing.read === listing.desired ? count : colour.red(`${count}; not read: ${listing.notRead.map((r) => `${r.task} (${r.state})`).join(', ')}`))
  return parts.join('\n')
}

/** Names when there are a few, else how many. */
function few(names: string[]): string {
  return names.length === 0 ? '-' : names.length <= 3 ? names.join(', ') : String(names.length)
}

export function renderSync(result: SyncResult, verbose: boolean): string {
  const head = result.dryRun ? `Dry run, nothing sent (${result.routes} labelled route(s)); would send:` : `${result.routes} labelled route(s) on ${result.proxy}:`
  const columns = ['ADDED', 'UPDATED', 'REMOVED', 'KEPT']
  const rows = result.replicas.map((row) => {
    const r = row as ReplicaSync
    return [r.node, r.task, few(r.added), few(r.updated), few(r.removed), String(r.unchanged), RESULT_COLOUR[r.result](r.message ? `${r.result}: ${r.message}` : r.result), ...(verbose ? [r.via ?? '', r.target ?? ''] : [])]
  })
  const table = renderTable(['NODE', 'TASK', ...columns, 'RESULT', ...(verbose ? ['API', 'HOW'] : [])], rows)
  const failures = result.replicas.flatMap((r) => (r as ReplicaSync).failures.map((f) => `${r.task}: ${f.service}: ${f.message}`))
  const skipped = result.skipped.length > 0 ? [colour.yellow(`Not sent: ${result.skipped.map((s) => `${s.service} (${s.reason})`).join('; ')}.`)] : []
  const declined = result.pruneDeclined ? ['Nothing pruned (not confirmed).'] : []
  const count = `${result.synced} of ${result.desired} replica(s) ${result.dryRun ? 'read' : 'in step'}`
  const counted = result.synced === result.desired ? count : colour.red(`${count}; not: ${result.notSynced.map((r) => `${r.task} (${r.state})`).join(', ')}`)
  return [head, table, ...failures.map((f) => colour.red(f)), ...skipped, ...declined, counted].join('\n')
}
