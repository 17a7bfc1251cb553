import type {Hook} from '@oclif/core'

import {ERROR_CODES, errorEnvelope} from '../lib/core/errors.js'

/** An unknown command is a usage error in swarmnet's one-line format, with the nearest command named. */
const hook: Hook.CommandNotFound = async function (options) {
  const typed = options.id.replaceAll(':', ' ')
  const commands = options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
  const nearest = commands.map((c) => [c, distance(typed, c)] as const).sort((a, b) => a[1] - b[1])[0]
  const hint = nearest && nearest[1] <= 3 ? `did you mean "${nearest[0]}"? ` : ''
  const message = `unknown command "${typed}"; ${hint}see ${options.config.bin} --help`
  const {exitCode} = ERROR_CODES.EUSAGE
  if (options.argv?.includes('--json')) process.stdout.write(`${JSON.stringify(errorEnvelope(message, 'EUSAGE', exitCode))}\n`)
  else process.stderr.write(`Error: ${message}\n`)
  process.exit(exitCode)
}

/** Levenshtein distance, small inputs only. */
function distance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }

  return row[b.length]
}

export default hook
