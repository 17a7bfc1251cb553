import {expect} from 'chai'

import type {ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError} from '../../../src/lib/core/errors.js'
import {describeNotRead, notReadOf, passing, readEveryReplica} from '../../../src/lib/proxy/accounting.js'
import {waitMsOf} from '../../../src/lib/proxy/flags.js'
import {ConnectFailed} from '../../../src/lib/proxy/http.js'
import {type ProxyReplica, canAsk, proxyReplicas} from '../../../src/lib/proxy/replicas.js'
import {fakeCluster} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const nodes = [node('n1', 'node-1', '192.0.2.11', 'manager'), node('n2', 'node-2', '192.0.2.12'), node('n3', 'node-3', '192.0.2.13')]
const globalProxy = serviceOf('svc-proxy', 'proxy', {mode: 'global', replicas: undefined, image: 'swarmnet-lab/proxy:latest'})
const replicatedProxy = serviceOf('svc-proxy', 'proxy', {mode: 'replicated', replicas: 3, image: 'swarmnet-lab/proxy:latest'})

/** A proxy task on a node; running unless said otherwise. */
const on = (id: string, nodeId: string, overrides: Partial<TaskSummary> = {}) => taskOf(id, 'svc-proxy', nodeId, {image: 'swarmnet-lab/proxy:latest', ...overrides})
/** The measured replacement of a killed global task: the old one shut down, the new one waiting out its restart delay. */
const replaced = [on('t3-old', 'n3', {desiredState: 'shutdown', state: 'failed', error: 'task: non-zero exit (137)'}), on('t3', 'n3', {desiredState: 'ready', state: 'preparing', containerId: undefined})]

/**
 * A manager whose task list moves through `snapshots` (one per listTasks call, the last one then
 * stays), with the service's status as Swarm reports it.
 */
function world(service: ServiceSummary, snapshots: TaskSummary[][], status?: {running: number; desired: number}) {
  let calls = 0
  const engine = fakeEngine({
    listNodes: async () => nodes,
    listServices: async (options) => [options?.status && status ? {...service, status} : service],
    async listTasks(filter = {}) {
      const tasks = snapshots[Math.min(calls++, snapshots.length - 1)]
      return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
    },
  })
  return {cluster: fakeCluster(engine), listings: () => calls}
}

describe('proxy replica accounting', () => {
  describe('proxyReplicas', () => {
    it('counts a global replica being replaced even when Swarm\'s desired count has shrunk (measured: 2 while the new task waits in "ready")', async () => {
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), ...replaced]], {running: 2, desired: 2})
      const set = await proxyReplicas(cluster, globalProxy, {waitMs: 0})
      expect(set.desired).to.equal(3)
      expect(set.replicas.map((r) => r.task)).to.deep.equal(['proxy.node-1', 'proxy.node-2'])
      expect(set.pending).to.deep.equal([{taskId: 't3', task: 'proxy.node-3', node: {id: 'n3', hostname: 'node-3', address: '192.0.2.13'}, state: 'preparing'}])
    })

    it('counts a task whose container died before the manager replaced it as not up (failed)', async () => {
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3', {state: 'failed', error: 'task: non-zero exit (137)'})]], {running: 2, desired: 3})
      const set = await proxyReplicas(cluster, globalProxy, {waitMs: 0})
      expect(set.desired).to.equal(3)
      expect(set.pending.map((p) => [p.task, p.state, p.error])).to.deep.equal([['proxy.node-3', 'failed', 'task: non-zero exit (137)']])
    })

    it('can ask a starting task once its container is up (only its health is pending), not before', async () => {
      expect(canAsk({state: 'starting', containerId: 'c3'})).to.equal(true)
      expect(canAsk({state: 'starting', containerId: undefined})).to.equal(false)
      expect(canAsk({state: 'preparing', containerId: 'c3'})).to.equal(false)
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2', {state: 'starting', containerId: undefined}), on('t3', 'n3', {state: 'starting'})]], {running: 1, desired: 3})
      const set = await proxyReplicas(cluster, globalProxy, {waitMs: 0})
      expect(set.replicas.map((r) => [r.task, r.state])).to.deep.equal([['proxy.node-1', 'running'], ['proxy.node-3', 'starting']])
      expect(set.pending.map((p) => [p.task, p.state])).to.deep.equal([['proxy.node-2', 'starting']])
    })

    it('names a desired replicated replica Swarm has no task for yet by its free slot', async () => {
      const {cluster} = world(replicatedProxy, [[on('t1', 'n1', {slot: 1}), on('t3', 'n3', {slot: 3})]], {running: 2, desired: 3})
      const set = await proxyReplicas(cluster, replicatedProxy, {waitMs: 0})
      expect(set.desired).to.equal(3)
      expect(set.pending).to.deep.equal([{taskId: '', task: 'proxy.2', node: {id: '', hostname: '(no node yet)', address: ''}, state: 'not created', error: 'Swarm has not made its task yet'}])
    })

    it('takes the spec\'s replica count when the engine reports no status (API before 1.41)', async () => {
      const {cluster} = world(replicatedProxy, [[on('t1', 'n1', {slot: 1})]])
      expect((await proxyReplicas(cluster, replicatedProxy, {waitMs: 0})).desired).to.equal(3)
    })

    it('counts one replica per slot: a start-first update\'s second task is not another one', async () => {
      const {cluster} = world(replicatedProxy, [[on('t1', 'n1', {slot: 1}), on('t1b', 'n2', {slot: 1, state: 'starting'}), on('t2', 'n2', {slot: 2}), on('t3', 'n3', {slot: 3})]], {running: 3, desired: 3})
      expect((await proxyReplicas(cluster, replicatedProxy, {waitMs: 0})).desired).to.equal(3)
    })

    it('waits (up to waitMs) until every desired replica can be asked', async () => {
      const up = [on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3', {state: 'starting'})]
      const {cluster, listings} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), ...replaced], [on('t1', 'n1'), on('t2', 'n2'), ...replaced], up], {running: 2, desired: 3})
      const set = await proxyReplicas(cluster, globalProxy, {waitMs: 10_000})
      expect(listings()).to.equal(3)
      expect(set.pending).to.deep.equal([])
      expect(set.replicas.map((r) => r.taskId)).to.deep.equal(['t1', 't2', 't3'])
    })
  })

  describe('readEveryReplica', () => {
    const readTask = (log: string[], fail: Record<string, (Error | undefined)[]> = {}) => async (replica: ProxyReplica) => {
      log.push(replica.taskId)
      const error = fail[replica.taskId]?.shift()
      if (error) throw error
      return `routes of ${replica.taskId}`
    }

    it('waits for a replacement through its restart delay and starting window, then reads it: 3 of 3', async () => {
      const before = [on('t1', 'n1'), on('t2', 'n2'), ...replaced]
      const {cluster} = world(globalProxy, [before, before, before, [on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3', {state: 'starting'})]], {running: 2, desired: 2})
      const log: string[] = []
      const accounted = await readEveryReplica(cluster, globalProxy, readTask(log), {waitMs: 10_000})
      expect(accounted.desired).to.equal(3)
      expect(accounted.read.map((r) => [r.replica.task, r.replica.state, r.value])).to.deep.equal([
        ['proxy.node-1', 'running', 'routes of t1'], ['proxy.node-2', 'running', 'routes of t2'], ['proxy.node-3', 'starting', 'routes of t3'],
      ])
      expect(accounted.failed).to.deep.equal([])
      expect(accounted.pending).to.deep.equal([])
      expect(log.filter((id) => id === 't1')).to.have.lengthOf(1) // a replica read once is not asked again
    })

    it('after waitMs names what is still not up, by state, and counts it', async () => {
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), ...replaced]], {running: 2, desired: 2})
      const accounted = await readEveryReplica(cluster, globalProxy, readTask([]), {waitMs: 400})
      expect(accounted.desired).to.equal(3)
      expect(accounted.read).to.have.lengthOf(2)
      const notRead = notReadOf(accounted)
      expect(notRead).to.deep.equal([{task: 'proxy.node-3', taskId: 't3', node: 'node-3', state: 'preparing', reason: 'task is preparing'}])
      expect(describeNotRead(notRead)).to.equal('proxy.node-3 on node-3 (preparing: task is preparing)')
    })

    it('asks again an API that does not answer yet, until it does', async () => {
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3', {state: 'starting'})]], {running: 2, desired: 3})
      const log: string[] = []
      const refused = () => new ConnectFailed('http://192.0.2.13:8080: connection refused')
      const accounted = await readEveryReplica(cluster, globalProxy, readTask(log, {t3: [refused(), refused()]}), {waitMs: 10_000})
      expect(log.filter((id) => id === 't3')).to.have.lengthOf(3)
      expect(accounted.read).to.have.lengthOf(3)
      expect(accounted.failed).to.deep.equal([])
    })

    it('reports at once a failure that waiting does not cure, and does not ask again', async () => {
      const {cluster, listings} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3')]], {running: 3, desired: 3})
      const log: string[] = []
      const accounted = await readEveryReplica(cluster, globalProxy, readTask(log, {t2: [new SwarmnetError('cannot reach the engine of node node-2: permission denied (publickey)')]}), {waitMs: 60_000})
      expect(listings()).to.equal(2) // one round (listed, read, listed again): no waiting
      expect(log.filter((id) => id === 't2')).to.have.lengthOf(1)
      expect(accounted.failed.map((f) => [f.replica.task, f.error])).to.deep.equal([['proxy.node-2', 'cannot reach the engine of node node-2: permission denied (publickey)']])
      expect(notReadOf(accounted)).to.deep.equal([{task: 'proxy.node-2', taskId: 't2', node: 'node-2', state: 'running', reason: 'cannot reach the engine of node node-2: permission denied (publickey)'}])
    })

    it('does not count a read of a replica replaced meanwhile: its replacement is named instead', async () => {
      const first = [on('t1', 'n1'), on('t2', 'n2'), on('t3', 'n3')]
      const then = [on('t1', 'n1'), on('t2', 'n2'), ...replaced]
      const {cluster} = world(globalProxy, [first, then], {running: 2, desired: 2})
      const accounted = await readEveryReplica(cluster, globalProxy, readTask([]), {waitMs: 0})
      expect(accounted.desired).to.equal(3)
      expect(accounted.read.map((r) => r.replica.taskId)).to.deep.equal(['t1', 't2'])
      expect(accounted.pending.map((p) => [p.taskId, p.state])).to.deep.equal([['t3', 'preparing']])
    })

    it('narrows to the replicas `only` keeps, and counts those', async () => {
      const {cluster} = world(globalProxy, [[on('t1', 'n1'), on('t2', 'n2'), ...replaced]], {running: 2, desired: 2})
      const accounted = await readEveryReplica(cluster, globalProxy, readTask([]), {waitMs: 0, only: (r) => r.node.hostname === 'node-3'})
      expect(accounted.desired).to.equal(1)
      expect(accounted.read).to.deep.equal([])
      expect(accounted.pending.map((p) => p.task)).to.deep.equal(['proxy.node-3'])
    })

    it('counts as passing: a refused connection, a container gone or being replaced; not: other failures', () => {
      expect(passing(new ConnectFailed('connection refused'))).to.equal(true)
      expect(passing(Object.assign(new Error('(HTTP code 404) no such container'), {statusCode: 404, json: {message: 'No such container: c3'}}))).to.equal(true)
      expect(passing(new SwarmnetError('container c3 of task t3 is not running (being replaced)'))).to.equal(true)
      expect(passing(new SwarmnetError('task t3 reports no container yet'))).to.equal(true)
      expect(passing(new SwarmnetError('permission denied (publickey)'))).to.equal(false)
      expect(passing(new SwarmnetError("cannot run nc in the proxy's container (exit 127)"))).to.equal(false)
    })
  })

  describe('--wait', () => {
    it('takes a duration, or 0 for not waiting at all', () => {
      expect(waitMsOf('20s')).to.equal(20_000)
      expect(waitMsOf('500ms')).to.equal(500)
      expect(waitMsOf('1m')).to.equal(60_000)
      for (const zero of ['0', '0s', '0ms']) expect(waitMsOf(zero)).to.equal(0)
    })

    it('refuses anything else with a usage error naming the value', () => {
      for (const bad of ['soon', '-1s', '2h', '']) {
        expect(() => waitMsOf(bad)).to.throw(`invalid --wait "${bad}": expected a duration like 10s, 500ms or 2m (at most 60m)`)
      }
    })
  })
})
