import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {nodeSocket} from '../../helpers/lab.js'

/** Bad doctor input gets one clear line on stderr and exit 2, not one per node. */
describe('doctor: bad input, one-line errors', () => {
  const manager = nodeSocket('node-1')
  const cases: BadInput[] = [
    {name: 'doctor with a missing --ssh-config: one line, not one per node', args: ['doctor', '-H', manager, '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /},
  ]
  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))
})
