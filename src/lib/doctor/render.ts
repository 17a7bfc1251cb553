import {colour, renderTable} from '../output.js'
import type {DoctorResult, Status} from './doctor.js'

const MARK: Record<Status, string> = {pass: colour.green('pass'), warn: colour.yellow('warn'), fail: colour.red('FAIL'), skip: colour.dim('-')}

/** A grid of nodes × checks, then each warning and failure with its hint. */
export function renderDoctor(result: DoctorResult): string {
  const names = [...new Set(result.nodes.flatMap((n) => n.checks.map((c) => c.name)))]
  const grid = renderTable(['NODE', ...names.map((n) => n.toUpperCase())], result.nodes.map((n) => [n.node, ...names.map((name) => {
    const check = n.checks.find((c) => c.name === name)
    return check ? MARK[check.status] : ''
  })]))
  const findings = result.nodes.flatMap((n) =>
    n.checks
      .filter((c) => c.status === 'fail' || c.status === 'warn')
      .map((c) => `${c.status === 'fail' ? colour.red('✗') : colour.yellow('!')} ${n.node} ${c.name}: ${c.detail}${c.hint ? `\n    ${colour.dim(`→ ${c.hint}`)}` : ''}`),
  )
  const warnings = result.warnings.map((w) => `${colour.yellow('!')} ${w.service} api: ${w.message}`)
  const all = [...findings, ...warnings]
  return [grid, '', ...(all.length > 0 ? all : [colour.green('Every check passed.')]), '', colour.dim(`${result.sshConnections} SSH connection(s), one per node.`)].join('\n')
}
