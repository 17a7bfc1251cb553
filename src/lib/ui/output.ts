import chalk from 'chalk'
import Table from 'cli-table3'

/** The one chalk: bin/run.js sets FORCE_COLOR=0 for NO_COLOR, --no-color, --json and dumb terminals. */
export const colour = chalk

const plain = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '   ',
}

/** A borderless table like the docker CLI's, with no escape codes of its own (colour only via chalk). */
export function renderTable(head: string[], rows: (string | number | boolean | undefined)[][]): string {
  const table = new Table({
    head: head.map((h) => colour.bold(h)),
    chars: plain,
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
  })
  for (const row of rows) table.push(row.map((cell) => (cell === undefined ? '' : String(cell))))
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n')
}

/** "yes"/"" for table cells, so a column of flags reads at a glance. */
export function yes(value: boolean): string {
  return value ? 'yes' : ''
}
