import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {docker, eventually, labVars, nodeSocket, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, running} from '../../helpers/proxy-lab.js'

interface Finding {
  name: string
  subject: string
  status: string
  detail: string
  hint?: string
}

/** Runs doctor and returns its swarm-wide findings, whether it exited 0 or 1. */
async function swarmFindings(env: Record<string, string | undefined>, args: string[] = []): Promise<{code: number; swarm: Finding[]; message?: string}> {
  const result = await swarmnet(['doctor', ...args, '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.swarm, result.stdout + result.stderr).to.be.an('array')
  return {code: result.code, swarm: body.swarm, message: result.json?.error?.message}
}

async function listed(env: Record<string, string | undefined>, name: string): Promise<{capacity: Record<string, number>} | undefined> {
  const result = await swarmnet(['network', 'ls', '--json'], {env})
  expect(result.code, result.stderr).to.equal(0)
  return result.json.find((n: {name: string}) => n.name === name)
}

// Overlay address exhaustion, injected: a /29 (5 usable addresses) under an 8-replica service leaves
// tasks in New and Preparing with no error anywhere (environment-facts.md). swarmnet must say so.
describe('doctor capacity: a full overlay, injected', function () {
  this.timeout(240_000)
  let env: Record<string, string | undefined>
  const services = ['tiny-web', 'capok-web']
  const networks = ['tiny', 'capok']

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks(services, networks) // leftovers of a killed run
  })
  after(async () => removeServicesAndNetworks(services, networks))

  it('a healthy overlay passes capacity and task-errors, without SSH to any node', async () => {
    const created = await docker(['-H', nodeSocket('node-1'), 'network', 'create', '-d', 'overlay', 'capok'])
    expect(created.code, created.stderr).to.equal(0)
    await createService('capok-web', ['--network', 'capok', '--endpoint-mode', 'dnsrr', '--replicas', '2'])
    await running('capok-web', 2)
    const {code, swarm} = await swarmFindings(env, ['--check', 'capacity', '--check', 'task-errors'])
    expect(code, JSON.stringify(swarm)).to.equal(0)
    expect(swarm.filter((f) => f.status === 'warn' || f.status === 'fail'), 'no false alarm on a healthy lab').to.deep.equal([])
    const capok = swarm.find((f) => f.subject === 'network capok')!
    // dnsrr: no VIP; 2 tasks; one endpoint per node running one (1 or 2 nodes).
    expect(capok).to.deep.include({name: 'capacity', status: 'pass'})
    expect(capok.detail).to.match(/^[34]\/253 addresses used \(1%: 0 VIP, 2 task, [12] load-balancer endpoint\)$/)
    expect(swarm.find((f) => f.subject === 'network ingress')).to.deep.include({name: 'capacity', status: 'pass'})
    expect(swarm.find((f) => f.name === 'task-errors')).to.deep.include({subject: 'tasks', status: 'pass'})
    const chosen = await swarmFindings(env, ['--check', 'capacity', '--network', 'capok'])
    expect(chosen.swarm.map((f) => f.subject)).to.deep.equal(['network capok'])
  })

  it('a /29 under 8 replicas: network ls shows it full, inspect the breakdown, doctor fails naming the stuck tasks', async () => {
    const created = await docker(['-H', nodeSocket('node-1'), 'network', 'create', '-d', 'overlay', '--subnet', '10.99.0.0/29', 'tiny'])
    expect(created.code, created.stderr).to.equal(0)
    await createService('tiny-web', ['--network', 'tiny', '--replicas', '8'])
    // The allocator works asynchronously: wait until all 8 tasks exist and the addresses are taken.
    await eventually('tiny full', async () => (await listed(env, 'tiny'))?.capacity.free === 0 && (await listed(env, 'tiny'))?.capacity.waiting === 4, 60_000)
    const tiny = (await listed(env, 'tiny'))!
    expect(tiny.capacity).to.deep.include({size: 5, used: 5, free: 0, percent: 100, vips: 1, tasks: 4, waiting: 4})
    const table = await swarmnet(['network', 'ls'], {env})
    expect(table.stdout).to.match(/^tiny +\w{12} +10\.99\.0\.0\/29 +10\.99\.0\.1 +5\/5 +0 /m)

    const inspected = await swarmnet(['network', 'inspect', 'tiny', '--json'], {env})
    expect(inspected.code, inspected.stderr).to.equal(0)
    const {capacity} = inspected.json
    expect(capacity.subnets).to.deep.equal([{subnet: '10.99.0.0/29', usable: 5}])
    expect(capacity.vipAddresses).to.deep.equal([{service: 'tiny-web', address: '10.99.0.2'}])
    expect(capacity.taskAddresses).to.have.length(4)
    for (const t of capacity.taskAddresses) expect(t.address).to.match(/^10\.99\.0\.[3-6]$/)
    expect(capacity.waitingTasks.map((t: {state: string}) => t.state)).to.deep.equal(['new', 'new', 'new', 'new'])
    const human = await swarmnet(['network', 'inspect', 'tiny'], {env})
    expect(human.stdout).to.match(/^free +0/m)
    expect(human.stdout).to.include('4 task(s) hold no address on it yet: tiny-web.')

    const {code, swarm, message} = await swarmFindings(env)
    expect(code).to.equal(1)
    const full = swarm.find((f) => f.name === 'capacity' && f.subject === 'network tiny')!
    expect(full.status).to.equal('fail')
    expect(full.detail).to.match(/^full: 5\/5 addresses used \(100%: 1 VIP, 4 task, [1-3] load-balancer endpoint\); 8 task\(s\) stuck: tiny-web\.\d+ \(new\)/)
    for (let slot = 1; slot <= 8; slot++) expect(full.detail).to.match(new RegExp(`tiny-web\\.${slot} \\((new|pending|assigned|preparing)`))
    expect(full.hint).to.match(/^new tasks on tiny get no address and stay in New or Preparing, with no error shown: a larger --subnet .*, fewer replicas, or --endpoint-mode dnsrr to save the VIP$/)
    expect(message).to.include('network tiny: capacity')
    // Nothing else on the lab is said to be full.
    expect(swarm.filter((f) => f.name === 'capacity' && f.status !== 'pass').map((f) => f.subject)).to.deep.equal(['network tiny'])
  })

  it('the fault removed: the finding is gone', async () => {
    await removeServicesAndNetworks(['tiny-web'], ['tiny'])
    const {swarm} = await swarmFindings(env, ['--check', 'capacity', '--check', 'task-errors'])
    expect(swarm.find((f) => f.subject === 'network tiny')).to.equal(undefined)
    expect(swarm.filter((f) => f.status === 'warn' || f.status === 'fail')).to.deep.equal([])
  })
})
