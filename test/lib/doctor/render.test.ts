import {expect} from 'chai'

import type {DoctorResult} from '../../../src/lib/doctor/doctor.js'
import {renderDoctor} from '../../../src/lib/doctor/render.js'
import {colour} from '../../../src/lib/ui/output.js'
import {withoutColour} from '../../helpers/fixtures.js'

// doctor() itself opens one SSH session per node (openSshSession, imported dynamically) and its
// checks are module-private, so the lab tests cover it; what is pure here is the rendering.
describe('doctor: renderDoctor', () => {
  withoutColour(colour)

  const failing: DoctorResult = {
    warnings: [],
    swarm: [],
    sshConnections: 2,
    ok: false,
    nodes: [
      {
        node: 'node-1', address: '10.213.0.11', role: 'manager', via: 'ssh://root@10.213.0.11:22',
        checks: [
          {name: 'ssh', status: 'pass', detail: 'reached ssh://root@10.213.0.11:22'},
          {name: 'ipvs', status: 'warn', detail: 'ip_vs not loaded, but loadable', hint: 'modprobe ip_vs ip_vs_rr (dockerd loads it when needed)'},
          {name: 'port 2377/tcp', status: 'pass', detail: 'reachable from the other nodes'},
          {name: 'engine', status: 'warn', detail: '20.10.23, while most nodes run 20.10.24'},
        ],
      },
      {
        node: 'node-2', address: '10.213.0.12', role: 'worker',
        checks: [
          {name: 'ssh', status: 'fail', detail: 'connection refused', hint: 'the other checks need SSH to the node'},
          {name: 'state', status: 'skip', detail: 'ready, active'},
        ],
      },
    ],
  }

  it('a grid of nodes × every check name seen (in first-seen order), then each warning and failure with its hint', () => {
    expect(renderDoctor(failing).split('\n')).to.deep.equal([
      'NODE     SSH    IPVS   PORT 2377/TCP   ENGINE   STATE',
      'node-1   pass   warn   pass            warn',
      'node-2   FAIL                                   -',
      '',
      '! node-1 ipvs: ip_vs not loaded, but loadable',
      '    → modprobe ip_vs ip_vs_rr (dockerd loads it when needed)',
      '! node-1 engine: 20.10.23, while most nodes run 20.10.24',
      '✗ node-2 ssh: connection refused',
      '    → the other checks need SSH to the node',
      '',
      '2 SSH connection(s), one per node.',
    ])
  })

  it('a cause common to several nodes is said once, naming them; different causes keep their own lines', () => {
    const cause = {name: 'ssh', status: 'fail' as const, detail: 'cannot read SSH config /x: permission denied', hint: 'check --ssh-config'}
    const result: DoctorResult = {warnings: [], swarm: [], sshConnections: 0, ok: false, nodes: ['node-1', 'node-2', 'node-3'].map((node) => ({node, address: '', role: 'worker', checks: [cause]}))}
    result.nodes.push({node: 'node-4', address: '', role: 'worker', checks: [{...cause, detail: 'connection refused'}]})
    expect(renderDoctor(result).split('\n').slice(6, -2)).to.deep.equal([
      '✗ ssh: cannot read SSH config /x: permission denied (node-1, node-2, node-3)',
      '    → check --ssh-config',
      '✗ node-4 ssh: connection refused',
      '    → check --ssh-config',
    ])
  })

  it('swarm-wide findings: a table of every check and subject, then each warning and failure with its subject and hint', () => {
    const result: DoctorResult = {
      warnings: [], sshConnections: 1, ok: false,
      nodes: [{node: 'node-1', address: '10.213.0.11', role: 'manager', checks: [{name: 'ssh', status: 'pass', detail: 'reached'}]}],
      swarm: [
        {name: 'capacity', subject: 'network proxy', status: 'pass', detail: '9 of 253 addresses used'},
        {name: 'capacity', subject: 'network tiny', status: 'fail', detail: '6 of 6 addresses used', hint: 'recreate it with a larger --subnet'},
      ],
    }
    expect(renderDoctor(result).split('\n')).to.deep.equal([
      'NODE     SSH',
      'node-1   pass',
      '',
      'SWARM CHECK   SUBJECT         STATUS   DETAIL',
      'capacity      network proxy   pass     9 of 253 addresses used',
      'capacity      network tiny    FAIL     6 of 6 addresses used',
      '',
      '✗ network tiny capacity: 6 of 6 addresses used',
      '    → recreate it with a larger --subnet',
      '',
      '1 SSH connection(s), one per node.',
    ])
  })

  it('all passing (skips are no findings): "Every check passed."', () => {
    const result: DoctorResult = {warnings: [], swarm: [], sshConnections: 1, ok: true, nodes: [{node: 'node-1', address: '10.213.0.11', role: 'manager', checks: [{name: 'ssh', status: 'pass', detail: 'reached'}, {name: 'mtu', status: 'skip', detail: 'no interface'}]}]}
    expect(renderDoctor(result)).to.equal('NODE     SSH    MTU\nnode-1   pass   -\n\nEvery check passed.\n\n1 SSH connection(s), one per node.')
  })

  it('a published proxy API is a warning, never "Every check passed."', () => {
    const warning = {code: 'proxy-api-published' as const, service: 'proxy', port: 8080, publishMode: 'host' as const, addresses: ['10.213.0.11:8080'], message: "proxy's API (port 8080) is published with no authentication on 10.213.0.11:8080"}
    const result: DoctorResult = {warnings: [warning], swarm: [], sshConnections: 1, ok: true, nodes: [{node: 'node-1', address: '10.213.0.11', role: 'manager', checks: [{name: 'ssh', status: 'pass', detail: 'reached'}]}]}
    expect(renderDoctor(result)).to.equal("NODE     SSH\nnode-1   pass\n\n! proxy api: proxy's API (port 8080) is published with no authentication on 10.213.0.11:8080\n\n1 SSH connection(s), one per node.")
  })

  // The grid's marks are coloured once, when the module loads (bin/run.js sets FORCE_COLOR before
  // that); the findings are coloured as they are rendered.
  it('in colour: a failure\'s ✗ red, a warning\'s ! yellow, hints dim', () => {
    colour.level = 1
    const text = renderDoctor(failing)
    expect(text).to.include(`${colour.red('✗')} node-2 ssh: connection refused\n    ${colour.dim('→ the other checks need SSH to the node')}`)
    expect(text).to.include(`${colour.yellow('!')} node-1 engine: 20.10.23, while most nodes run 20.10.24\n`)
    expect(text.endsWith(colour.dim('2 SSH connection(s), one per node.'))).to.equal(true)
  })
})
