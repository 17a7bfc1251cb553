import {expect} from 'chai'

import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {labVars, nodeSocket, onNode} from '../../helpers/lab.js'

/** What the lab holds: bad input must leave it as it was. */
async function labState(): Promise<string> {
  const lists = await Promise.all([['service', 'ls', '-q'], ['network', 'ls', '-q'], ['node', 'ls', '-q']].map((args) => onNode('node-1', args)))
  return lists.join('\n')
}

/** Bad doctor input gets one clear line on stderr naming the bad value and what was expected, exit 2, not one per node. */
describe('doctor: bad input, one-line errors', () => {
  const manager = nodeSocket('node-1')
  let env: Record<string, string | undefined> = {}
  let atStart = ''
  const cases: BadInput[] = [
    {name: 'doctor with a missing --ssh-config: one line, not one per node', args: ['doctor', '-H', manager, '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /},
    {name: 'an unknown node', args: ['doctor', 'nope'], env: () => env, code: 2, error: /^unknown node "nope"; the swarm's nodes are node-1, node-2, node-3$/},
    {name: 'an unknown network', args: ['doctor', '--network', 'nope'], env: () => env, code: 2, error: /^unknown overlay network "nope" for --network; the swarm's overlay networks are (.+, )?ingress(, .+)?$/},
    {name: 'an unknown check', args: ['doctor', '--check', 'nope'], env: () => env, code: 2, error: /^invalid --check "nope": expected one of ssh, state, .*\bfdb\b.*\bcapacity, task-errors\b/},
    {name: '--fix without a terminal or --yes', args: ['doctor', '--fix'], env: () => env, code: 2, error: /^doctor --fix changes forwarding entries on the nodes and needs confirmation; pass --yes \(no terminal to ask on\)$/},
  ]

  before(async () => {
    env = await labVars()
    atStart = await labState()
  })

  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))

  it('changed nothing on the lab', async () => {
    expect(await labState()).to.equal(atStart)
  })
})
