import {groupByCause} from '../core/causes.js'
import {colour, renderTable} from '../ui/output.js'
import type {Status} from './checks.js'
import type {DoctorResult} from './doctor.js'

const MARK: Record<Status, string> = {pass: colour.green('pass'), warn: colour.yellow('warn'), fail: colour.red('FAIL'), skip: colour.dim('-')}

/** A grid of nodes × checks, the swarm-wide findings, then each warning and failure with its hint. */
export function renderDoctor(result: DoctorResult): string {
  const names = [...new Set(result.nodes.flatMap((n) => n.checks.map((c) => c.name)))]
  const grid = renderTable(['NODE', ...names.map((n) => n.toUpperCase())], result.nodes.map((n) => [n.node, ...names.map((name) => {
    const check = n.checks.find((c) => c.name === name)
    return check ? MARK[check.status] : ''
  })]))
  // A cause common to several nodes (the same check, detail and hint) is said once, naming them.
  const found = result.nodes.flatMap((n) => n.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => ({who: n.node, cause: JSON.stringify([c.status, c.name, c.detail, c.hint]), check: c})))
  const findings = groupByCause(found).map(({who, first: {check: c}}) => {
    const where = who.length > 1 ? `${c.name}: ${c.detail} (${who.join(', ')})` : `${who[0]} ${c.name}: ${c.detail}`
    return `${c.status === 'fail' ? colour.red('✗') : colour.yellow('!')} ${where}${c.hint ? `\n    ${colour.dim(`→ ${c.hint}`)}` : ''}`
  })
  const swarmFindings = result.swarm.filter((f) => f.status === 'fail' || f.status === 'warn').map((f) =>
    `${f.status === 'fail' ? colour.red('✗') : colour.yellow('!')} ${f.subject} ${f.name}: ${f.detail}${f.hint ? `\n    ${colour.dim(`→ ${f.hint}`)}` : ''}`)
  const warnings = result.warnings.map((w) => `${colour.yellow('!')} ${w.service} api: ${w.message}`)
  const all = [...findings, ...swarmFindings, ...warnings]
  const swarm = result.swarm.length > 0 ? ['', renderTable(['SWARM CHECK', 'SUBJECT', 'STATUS', 'DETAIL'], result.swarm.map((f) => [f.name, f.subject, MARK[f.status], f.detail]))] : []
  // Only swarm-wide checks asked for: no node was reached, so no grid.
  const top = result.nodes.length > 0 ? [grid, ...swarm] : swarm.slice(1)
  return [...top, '', ...(all.length > 0 ? all : [colour.green('Every check passed.')]), ...renderFix(result), '', colour.dim(`${result.sshConnections} SSH connection(s), one per node.`)].join('\n')
}

/** What --fix did; the grid and findings above are the re-check after it. */
function renderFix(result: DoctorResult): string[] {
  const {fix} = result
  if (!fix) return []
  if (fix.repairs.length === 0) return ['', 'Nothing for --fix to repair.']
  if (!fix.confirmed) return ['', `Not confirmed: nothing changed (${fix.repairs.length} repair(s) found).`]
  const lines = fix.repairs.map((x) => x.ok ? `${colour.green('fixed')} ${x.node} ${x.problem}` : `${colour.red('not fixed')} ${x.node} ${x.problem}: ${x.error}`)
  return ['', 'After --fix (the checks above are the re-check):', ...lines]
}
