import {expect} from 'chai'

import {swarmnet} from './cli.js'

/** A command line swarmnet must refuse, and how: the exit code and the one line it says. */
export interface BadInput {
  name: string
  args: string[]
  /** Variables for the run, asked for when it runs (a case may name a file made in before()). */
  env?: () => Record<string, string | undefined>
  code: number
  error: RegExp
}

/**
 * Runs a case: one clear line on stderr ("Error: " and the message), nothing on stdout, exit 2 for
 * usage errors and 1 for runtime failures.
 */
export async function expectRefused(c: BadInput): Promise<void> {
  const result = await swarmnet(c.args, {env: c.env?.() ?? {}, timeoutMs: 20_000})
  expect(result.code, result.stderr).to.equal(c.code)
  expect(result.stdout).to.equal('')
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines, result.stderr).to.have.length(1)
  expect(lines[0].startsWith('Error: '), lines[0]).to.equal(true)
  expect(lines[0].slice('Error: '.length)).to.match(c.error)
}
