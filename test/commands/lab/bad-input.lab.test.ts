import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {nodeSocket} from '../../helpers/lab.js'

/** Bad lab input gets one clear line on stderr and exit 2. */
describe('lab: bad input, one-line errors', () => {
  const manager = nodeSocket('node-1')
  const cases: BadInput[] = [
    {name: 'lab with no nodes', args: ['lab', 'up', '--nodes', '0'], code: 2, error: /^invalid --nodes "0": expected a whole number from 1 to 9$/},
    {name: 'more managers than nodes', args: ['lab', 'up', '--managers', '4'], code: 2, error: /^invalid --managers "4": expected a whole number from 1 to --nodes \(3\)$/},
    {name: 'lab subnet that is not a /24', args: ['lab', 'up', '--subnet', '10.9.0.0/16'], code: 2, error: /^invalid --subnet "10\.9\.0\.0\/16": expected an IPv4 \/24 like 10\.213\.0\.0\/24$/},
    {name: 'a connection flag given to a lab command', args: ['lab', 'status', '--ssh-config', '/nonexistent/file'], code: 2, error: /^--ssh-config does not apply to `lab status`: it works on this machine, not through a Docker engine$/},
    {name: '--host given to a lab command', args: ['lab', 'env', '-H', manager], code: 2, error: /^--host does not apply to `lab env`: /},
    {name: 'lab --nodes that is no number', args: ['lab', 'up', '--nodes', 'abc'], code: 2, error: /^invalid --nodes "abc": expected a whole number from 1 to 9$/},
  ]
  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))
})
