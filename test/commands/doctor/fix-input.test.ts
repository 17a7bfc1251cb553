import {expect} from 'chai'

import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {swarmnet} from '../../helpers/cli.js'

/** doctor --fix changes nodes: without a way to confirm it is refused before anything connects. */
describe('doctor --fix: bad input, refused before connecting', () => {
  // A socket nothing listens on: the refusal must come before any connection is tried.
  const nowhere = 'unix:///nonexistent/swarmnet-test.sock'
  const cases: BadInput[] = [
    {name: '--fix without a terminal or --yes', args: ['doctor', '-H', nowhere, '--fix'], code: 2, error: /^doctor --fix changes forwarding entries on the nodes and needs confirmation; pass --yes \(no terminal to ask on\)$/},
    {name: '--yes without --fix', args: ['doctor', '-H', nowhere, '--yes'], code: 2, error: /^--yes goes with --fix/},
  ]
  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))

  it('--fix --json without --yes: the usage error as JSON (no question under --json), exit 2', async () => {
    const result = await swarmnet(['doctor', '-H', nowhere, '--fix', '--json'], {timeoutMs: 20_000})
    expect(result.code).to.equal(2)
    expect(result.json.error).to.include({code: 'EUSAGE', exitCode: 2})
    expect(result.json.error.message).to.include('pass --yes')
  })
})
