import {expect} from 'chai'

import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {docker, labVars, nodeSocket} from '../../helpers/lab.js'

/** Bad network input gets one clear line on stderr and exit 2, and creates nothing. */
describe('network: bad input, one-line errors, nothing created', () => {
  after(async () => {
    // None of the refused creations happened.
    const made = await docker(['network', 'ls', '--format', '{{.Name}}', '--filter', 'name=^(x|a)$'], await labVars())
    expect(made.stdout).to.equal('')
  })

  const manager = nodeSocket('node-1')
  const cases: BadInput[] = [
    {name: 'network name with a slash', args: ['network', 'create', 'a/b', '-H', manager], code: 2, error: /^invalid network name "a\/b"/},
    {name: 'subnet that is not CIDR', args: ['network', 'create', 'x', '--subnet', '10.0.0.0/40', '-H', manager], code: 2, error: /^invalid --subnet "10\.0\.0\.0\/40": expected CIDR notation like 10\.0\.9\.0\/24$/},
    {name: 'gateway outside the subnet', args: ['network', 'create', 'x', '--subnet', '10.0.9.0/24', '--gateway', '10.0.8.1', '-H', manager], code: 2, error: /^invalid --gateway "10\.0\.8\.1": not inside --subnet 10\.0\.9\.0\/24$/},
    {name: 'bad input is refused before connecting anywhere', args: ['network', 'create', 'ok', '--mtu', '5', '-H', 'tcp://10.213.0.99:2375'], code: 2, error: /^invalid --mtu "5": expected a whole number from 68 to 65535$/},
    {name: 'MTU that is not a number', args: ['network', 'create', 'x', '--mtu', 'big', '-H', manager], code: 2, error: /^invalid --mtu "big": expected a whole number from 68 to 65535$/},
    {name: 'label without =', args: ['network', 'create', 'x', '--label', 'team', '-H', manager], code: 2, error: /^invalid --label "team": expected KEY=VALUE$/},
    {name: 'unknown network', args: ['network', 'inspect', 'nope', '-H', manager], code: 2, error: /^unknown overlay network "nope"; overlay networks are /},
    {name: 'a network that is not an overlay', args: ['network', 'inspect', 'bridge', '-H', manager], code: 2, error: /^unknown overlay network "bridge"; overlay networks are /},
    {name: 'missing NAME without a terminal', args: ['network', 'create', '-H', manager], code: 2, error: /^missing argument NAME; pass it on the command line \(no terminal to ask on\)$/},
    {name: 'unexpected extra argument', args: ['network', 'inspect', 'a', 'b', '-H', manager], code: 2, error: /^Unexpected argument: b \(see --help\)$/},
  ]
  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))
})
