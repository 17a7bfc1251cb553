import type {LbResult} from './lb.js'
import {colour, renderTable} from '../ui/output.js'

const BAR = 40

/** A bar per container, scaled to the busiest; the even share marked in the deviation column. */
export function renderLb(r: LbResult): string {
  const where = r.from.where === 'here' ? 'from here' : `from ${r.from.container} on ${r.from.node}`
  const failed = r.failed > 0 ? `, ${(r.failed > r.allowedFailures ? colour.red : colour.yellow)(`${r.failed} failed`)}` : ''
  const lines = [`${colour.bold(r.url)}  ${r.requests} requests ${where}: ${r.answered} answered${failed} in ${r.durationMs} ms (${r.throughput} answers/s)`]
  const most = Math.max(1, ...r.containers.map((c) => c.count))
  const rows = r.containers.map((c) => [
    c.task ? `${c.task} (${c.id})` : c.id, c.node ?? '', '█'.repeat(Math.max(1, Math.round((c.count / most) * BAR))), String(c.count), `${c.share}%`,
    (Math.abs(c.deviation) > r.evenShare / 2 ? colour.yellow : (text: string) => text)(`${c.deviation >= 0 ? '+' : ''}${c.deviation}`),
  ])
  for (const task of r.silent) rows.push([colour.red(task), '', '', '0', '0%', colour.red(`-${r.evenShare}`)])
  if (rows.length > 0) lines.push(renderTable(['CONTAINER', 'NODE', '', 'ANSWERS', 'SHARE', `VS EVEN ${r.evenShare}%`], rows))
  const latency = r.latencyMs
  const statuses = Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(', ') || '-'
  const percentiles = latency.p50 === null ? '-' : `p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms (min ${latency.min}, max ${latency.max})`
  lines.push(`status ${statuses}   latency ${percentiles}`)
  if (r.failed > 0) {
    const why = Object.entries(r.failures).map(([reason, n]) => `${reason}: ${n}`).join(', ')
    const allowed = r.allowedFailures > 0 ? ` (--max-failed allows ${r.allowedFailures})` : ''
    lines.push((r.failed > r.allowedFailures ? colour.red : colour.yellow)(`failed ${r.failed} of ${r.requests}: ${why}${allowed}`))
  }

  if (r.maxDeviation !== null) lines.push(`spread: at most ${r.maxDeviation} points from an even ${r.evenShare}% each${r.silent.length > 0 ? colour.red(`; never answered: ${r.silent.join(', ')}`) : ''}`)
  for (const note of r.notes) lines.push(colour.dim(`Note: ${note}.`))
  return lines.join('\n')
}
