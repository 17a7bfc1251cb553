import type {LbResult} from './lb.js'
import {colour, renderTable} from './output.js'

const BAR = 40

/** A bar per container, scaled to the busiest; the even share marked in the deviation column. */
export function renderLb(r: LbResult): string {
  const where = r.from.where === 'here' ? 'from here' : `from ${r.from.container} on ${r.from.node}`
  const lines = [`${colour.bold(r.url)}  ${r.requests} requests ${where}, ${r.answered} answered in ${r.durationMs} ms (${r.throughput}/s)`]
  const most = Math.max(1, ...r.containers.map((c) => c.count))
  const rows = r.containers.map((c) => [
    c.task ? `${c.task} (${c.id})` : c.id, c.node ?? '', '█'.repeat(Math.max(1, Math.round((c.count / most) * BAR))), String(c.count), `${c.share}%`,
    (Math.abs(c.deviation) > r.evenShare / 2 ? colour.yellow : (text: string) => text)(`${c.deviation >= 0 ? '+' : ''}${c.deviation}`),
  ])
  for (const task of r.silent) rows.push([colour.red(task), '', '', '0', '0%', colour.red(`-${r.evenShare}`)])
  if (rows.length > 0) lines.push(renderTable(['CONTAINER', 'NODE', '', 'ANSWERS', 'SHARE', `VS EVEN ${r.evenShare}%`], rows))
  const latency = r.latencyMs
  lines.push(`status ${Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}   latency p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms (min ${latency.min}, max ${latency.max})`)
  lines.push(`spread: at most ${r.maxDeviation} points from an even ${r.evenShare}% each${r.silent.length > 0 ? colour.red(`; never answered: ${r.silent.join(', ')}`) : ''}`)
  for (const note of r.notes) lines.push(colour.dim(`Note: ${note}.`))
  return lines.join('\n')
}
