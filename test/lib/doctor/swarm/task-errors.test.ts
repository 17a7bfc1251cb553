import {expect} from 'chai'

import type {TaskSummary} from '../../../../src/lib/docker/engine.js'
import type {SwarmContext} from '../../../../src/lib/doctor/swarm-checks.js'
import {taskErrorFindings} from '../../../../src/lib/doctor/swarm/task-errors.js'
import {node, overlayOf, serviceOf, taskOf} from '../../../helpers/fake-engine.js'

const NOW = Date.parse('2026-12-07T12:00:00Z')
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()
const nodes = [node('id-1', 'node-1', '10.213.0.11', 'manager'), node('id-2', 'node-2', '10.213.0.12')]
const web = serviceOf('s1', 'web', {networks: [{id: 'n1'}]})
const db = serviceOf('s2', 'db', {networks: [{id: 'n2'}]})
const networks = [overlayOf('n1', 'front', '10.0.1.0/24'), overlayOf('n2', 'back', '10.0.2.0/24')]
const ctx = (tasks: TaskSummary[], extra: Partial<SwarmContext> = {}): SwarmContext => ({nodes, services: [web, db], networks, tasks, now: NOW, ...extra})

describe('doctor: task-errors', () => {
  it('passes when every slot\'s latest task runs, even after an old failure', () => {
    const findings = taskErrorFindings(ctx([
      taskOf('old', 's1', 'id-2', {slot: 1, createdAt: ago(300), state: 'rejected', desiredState: 'shutdown', error: 'network sandbox join failed: subnet sandbox join failed'}),
      taskOf('new', 's1', 'id-1', {slot: 1, createdAt: ago(200)}),
      taskOf('d1', 's2', 'id-1', {slot: 1}),
    ]))
    expect(findings).to.deep.equal([{name: 'task-errors', subject: 'tasks', status: 'pass', detail: '2 task slot(s) of 2 service(s): none failed to join its network or is stuck'}])
  })

  it('fails per service and node on "network sandbox join failed", with the fix', () => {
    const error = 'starting container failed: network sandbox join failed: subnet sandbox join failed for "10.0.1.0/24": error creating vxlan interface: file exists'
    const findings = taskErrorFindings(ctx([
      taskOf('a', 's1', 'id-2', {slot: 1, createdAt: ago(20), state: 'rejected', desiredState: 'shutdown', error}),
      // Its replacement waits out the restart delay: the slot is still failing.
      taskOf('b', 's1', 'id-2', {slot: 1, createdAt: ago(5), state: 'ready', error: undefined}),
      taskOf('c', 's1', 'id-2', {slot: 2, createdAt: ago(5), state: 'rejected', error}),
      taskOf('d', 's1', 'id-1', {slot: 3}),
    ]))
    expect(findings).to.have.length(1)
    expect(findings[0]).to.deep.include({name: 'task-errors', subject: 'service web (node-2)', status: 'fail', detail: `web.1, web.2 rejected: ${error}`})
    expect(findings[0].hint).to.match(/docker_gwbridge .*\(moby#31698, #31111, #25215\)/)
  })

  it('fails "no suitable node" and "could not find an available IP", each with its own hint', () => {
    const findings = taskErrorFindings(ctx([
      taskOf('a', 's1', '', {slot: 1, state: 'pending', stateSince: ago(3), error: 'no suitable node (scheduling constraints not satisfied on 2 nodes)'}),
      taskOf('b', 's2', '', {slot: 1, state: 'new', stateSince: ago(3), message: 'could not find an available IP while allocating VIP'}),
    ]))
    expect(findings.map((f) => [f.subject, f.status, f.detail])).to.deep.equal([
      ['service web', 'fail', 'web.1 pending: no suitable node (scheduling constraints not satisfied on 2 nodes)'],
      ['service db', 'fail', 'db.1 new: could not find an available IP while allocating VIP'],
    ])
    expect(findings[0].hint).to.include('placement')
    expect(findings[1].hint).to.include('out of addresses')
  })

  it('warns on a task stuck in new/pending/preparing for a minute or more, not on one just scheduled', () => {
    const findings = taskErrorFindings(ctx([
      taskOf('a', 's1', 'id-1', {slot: 1, state: 'preparing', stateSince: ago(90), message: 'preparing'}),
      taskOf('b', 's1', 'id-1', {slot: 2, state: 'preparing', stateSince: ago(10)}),
    ]))
    expect(findings).to.have.length(1)
    expect(findings[0]).to.deep.include({subject: 'service web (node-1)', status: 'warn', detail: 'web.1 preparing for 90s: preparing'})
    expect(findings[0].hint).to.include('see capacity')
  })

  it('with doctor --network, only services attached to the chosen networks', () => {
    const tasks = [taskOf('a', 's1', '', {slot: 1, state: 'pending', error: 'no suitable node'}), taskOf('b', 's2', '', {slot: 1, state: 'pending', error: 'no suitable node'})]
    const findings = taskErrorFindings(ctx(tasks, {networks: [networks[1]], networksChosen: true}))
    expect(findings.map((f) => f.subject)).to.deep.equal(['service db'])
  })

  it('a task being shut down is no trouble', () => {
    const findings = taskErrorFindings(ctx([taskOf('a', 's1', 'id-1', {slot: 1, state: 'pending', stateSince: ago(600), desiredState: 'shutdown'})]))
    expect(findings[0].status).to.equal('pass')
  })
})
