import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {eventually, labVars, nodeSocket, docker, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, running} from '../../helpers/proxy-lab.js'

interface Finding {
  name: string
  subject: string
  status: string
  detail: string
  hint?: string
}

const NETWORK = 'stucknet'
const STUCK = 'stuck'
const HEALTHY = 'unstuck'

/** doctor's task-errors findings (swarm-wide: no node is reached), whether it exited 0 or 1. */
async function taskErrors(env: Record<string, string | undefined>): Promise<{code: number; findings: Finding[]}> {
  const result = await swarmnet(['doctor', '--check', 'task-errors', '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.swarm, result.stdout + result.stderr).to.be.an('array')
  return {code: result.code, findings: (body.swarm as Finding[]).filter((f) => f.name === 'task-errors')}
}

// A task that cannot be placed (moby#25215 and the like): its "no suitable node" is on the task only,
// truncated by `docker service ps`. Injected with a constraint no node meets; doctor must name the
// service and the task, with the placement hint, and stop once the service is gone.
describe('doctor task-errors: a task no node can take, injected', function () {
  this.timeout(240_000)
  let env: Record<string, string | undefined>

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks([STUCK, HEALTHY], [NETWORK]) // leftovers of a killed run
    const created = await docker(['-H', nodeSocket('node-1'), 'network', 'create', '-d', 'overlay', NETWORK])
    expect(created.code, created.stderr).to.equal(0)
  })
  after(async () => removeServicesAndNetworks([STUCK, HEALTHY], [NETWORK]))

  it('names the pending task on its service with the placement hint; the healthy service on the same overlay is not named', async () => {
    await createService(HEALTHY, ['--network', NETWORK, '--replicas', '1'])
    await running(HEALTHY, 1)
    await createService(STUCK, ['--network', NETWORK, '--replicas', '1', '--constraint', 'node.labels.nowhere==1'])
    // The scheduler tells the task why it waits asynchronously: wait for the error on the task itself.
    await eventually('stuck.1 says no suitable node', async () => {
      const ps = await docker(['-H', nodeSocket('node-1'), 'service', 'ps', STUCK, '--no-trunc', '--format', '{{.CurrentState}} {{.Error}}'])
      return /^Pending .*no suitable node/m.test(ps.stdout)
    })
    const {code, findings} = await taskErrors(env)
    expect(code, JSON.stringify(findings)).to.equal(1)
    // Not placed, so on no node: the subject is the service alone.
    expect(findings.map((f) => f.subject), JSON.stringify(findings)).to.deep.equal([`service ${STUCK}`])
    const [stuck] = findings
    expect(stuck.status).to.equal('fail')
    expect(stuck.detail).to.match(/^stuck\.1 pending: no suitable node \(scheduling constraints not satisfied on 3 nodes\)/)
    expect(stuck.hint).to.match(/^no node meets the service's constraints, resources or platform: check its placement /)
  })

  it('the fault removed: the finding is gone and the check passes', async () => {
    await removeServicesAndNetworks([STUCK], [])
    await eventually('stuck removed', async () => (await docker(['-H', nodeSocket('node-1'), 'service', 'inspect', STUCK])).code !== 0)
    const {code, findings} = await taskErrors(env)
    expect(code, JSON.stringify(findings)).to.equal(0)
    expect(findings).to.have.length(1)
    expect(findings[0]).to.deep.include({subject: 'tasks', status: 'pass'})
  })
})
