import {expect} from 'chai'

import type {ServiceSummary, SwarmNode, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError} from '../../../src/lib/core/errors.js'
import {type Convergence, convergence, describeConvergence, waitForConvergence} from '../../../src/lib/proxy/converge.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const nodes = [node('id-1', 'node-1', '10.213.0.11', 'manager'), node('id-2', 'node-2', '10.213.0.12'), node('id-10', 'node-10', '10.213.0.20')]
const byId = new Map<string, SwarmNode>(nodes.map((n) => [n.id, n]))

/** A task of service s1 created at second `created` of the day (manager clock). */
const task = (id: string, nodeId: string, overrides: Partial<TaskSummary> = {}) => taskOf(id, 's1', nodeId, {image: 'dockerflow/docker-flow-proxy:latest', ...overrides})
const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.123456789Z`

describe('proxy/converge', () => {
  describe('convergence', () => {
    it('counts per node and converges when every desired task runs', () => {
      const view = convergence({running: 2, desired: 2}, [task('t1', 'id-1'), task('t2', 'id-2')], byId)
      expect(view).to.deep.equal({
        running: 2, desired: 2, errors: [], converged: true,
        nodes: [{node: 'node-1', running: 1, desired: 1, states: []}, {node: 'node-2', running: 1, desired: 1, states: []}],
      })
    })

    it('shows transitional states per node and does not converge on them', () => {
      const view = convergence({running: 1, desired: 3}, [task('t1', 'id-1'), task('t2', 'id-2', {state: 'preparing'}), task('t3', 'id-2', {state: 'starting'})], byId)
      expect(view.nodes).to.deep.equal([{node: 'node-1', running: 1, desired: 1, states: []}, {node: 'node-2', running: 0, desired: 2, states: ['preparing', 'starting']}])
      expect([view.running, view.desired, view.converged]).to.deep.equal([1, 3, false])
    })

    for (const state of ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']) {
      it(`does not converge while a task is ${state}, even if the counts add up`, () => {
        const view = convergence({running: 1, desired: 1}, [task('t1', 'id-1'), task('t2', 'id-2', {state})], byId)
        expect(view.converged).to.equal(false)
      })
    }

    it('counts only tasks meant to run (desired running), not the ones shut down', () => {
      const tasks = [task('t1', 'id-1'), task('old', 'id-1', {desiredState: 'shutdown', state: 'shutdown'}), task('dead', 'id-2', {desiredState: 'shutdown', state: 'failed'})]
      const view = convergence({running: 1, desired: 1}, tasks, byId)
      expect(view.nodes).to.deep.equal([{node: 'node-1', running: 1, desired: 1, states: []}])
      expect(view.converged).to.equal(true)
    })

    it('takes desired from the service status, else from the tasks', () => {
      expect(convergence({running: 1, desired: 3}, [task('t1', 'id-1')], byId)).to.include({running: 1, desired: 3, converged: false})
      expect(convergence(undefined, [task('t1', 'id-1'), task('t2', 'id-2', {state: 'pending'})], byId)).to.include({running: 1, desired: 2, converged: false})
      expect(convergence(undefined, [task('t1', 'id-1')], byId)).to.include({running: 1, desired: 1, converged: true})
    })

    it('never converges on nothing (desired 0)', () => {
      expect(convergence({running: 0, desired: 0}, [], byId)).to.deep.equal({running: 0, desired: 0, nodes: [], errors: [], converged: false})
      expect(convergence(undefined, [task('x', 'id-1', {desiredState: 'shutdown', state: 'rejected'})], byId).converged).to.equal(false)
    })

    it('does not converge with more tasks meant to run than desired (an update under way)', () => {
      expect(convergence({running: 2, desired: 2}, [task('t1', 'id-1'), task('t2', 'id-2'), task('t3', 'id-1')], byId).converged).to.equal(false)
    })

    it('names unknown nodes by a short id, and unassigned tasks as such', () => {
      const view = convergence({running: 0, desired: 2}, [task('t1', 'abcdefghijklmnopqrstuvwxyz', {state: 'assigned'}), task('t2', '', {state: 'pending'})], byId)
      expect(view.nodes.map((n) => n.node)).to.deep.equal(['(unassigned)', 'abcdefghijkl'])
    })

    it('sorts nodes naturally: node-2 before node-10', () => {
      const view = convergence({running: 3, desired: 3}, [task('a', 'id-10'), task('b', 'id-2'), task('c', 'id-1')], byId)
      expect(view.nodes.map((n) => n.node)).to.deep.equal(['node-1', 'node-2', 'node-10'])
    })

    it('collects the tasks\' errors, latest first, with their state unless pending, each once', () => {
      const tasks = [
        task('a', 'id-1', {desiredState: 'shutdown', state: 'rejected', error: 'No such image: x', stateSince: at(10)}),
        task('b', 'id-2', {desiredState: 'shutdown', state: 'rejected', error: 'No such image: x', stateSince: at(20)}),
        task('c', 'id-2', {desiredState: 'shutdown', state: 'failed', error: 'task: non-zero exit (1)', stateSince: at(30)}),
        task('d', '', {state: 'pending', error: 'no suitable node (scheduling constraints not satisfied on 3 nodes)', stateSince: at(40)}),
        task('e', 'id-1', {desiredState: 'shutdown', state: 'failed', error: 'No such image: x', stateSince: at(5)}),
      ]
      expect(convergence({running: 0, desired: 1}, tasks, byId).errors).to.deep.equal([
        'no suitable node (scheduling constraints not satisfied on 3 nodes)', 'task: non-zero exit (1) (failed)', 'No such image: x (rejected)', 'No such image: x (failed)',
      ])
    })

    it('counts errors only from tasks created since `since` (older ones are history)', () => {
      const tasks = [
        task('old', 'id-1', {desiredState: 'shutdown', state: 'failed', error: 'port 80 already in use', createdAt: at(1), stateSince: at(2)}),
        task('new', 'id-1', {desiredState: 'shutdown', state: 'rejected', error: 'No such image: y', createdAt: at(10), stateSince: at(11)}),
        task('same', 'id-2', {desiredState: 'shutdown', state: 'rejected', error: 'exactly at since', createdAt: at(9), stateSince: at(12)}),
      ]
      expect(convergence({running: 0, desired: 1}, tasks, byId, {since: at(9)}).errors).to.deep.equal(['exactly at since (rejected)', 'No such image: y (rejected)'])
      expect(convergence({running: 0, desired: 1}, tasks, byId).errors).to.have.lengthOf(3)
    })

    it('with `fresh`, waits for tasks created since `since` (the old ones are being replaced)', () => {
      const old = task('old', 'id-1', {createdAt: at(1)})
      const replaced = task('new', 'id-1', {createdAt: at(10)})
      expect(convergence({running: 1, desired: 1}, [old], byId, {since: at(5)}).converged).to.equal(true)
      expect(convergence({running: 1, desired: 1}, [old], byId, {since: at(5), fresh: true}).converged).to.equal(false)
      expect(convergence({running: 1, desired: 1}, [replaced, {...old, desiredState: 'shutdown', state: 'shutdown'}], byId, {since: at(5), fresh: true}).converged).to.equal(true)
    })

    it('does not converge while told a rolling update is under way', () => {
      expect(convergence({running: 1, desired: 1}, [task('t1', 'id-1')], byId, {updating: true}).converged).to.equal(false)
      expect(convergence({running: 1, desired: 1}, [task('t1', 'id-1')], byId, {updating: false}).converged).to.equal(true)
    })

    it('compares the manager\'s nanosecond timestamps', () => {
      const early = task('a', 'id-1', {createdAt: '2026-01-01T00:00:05.000000001Z'})
      expect(convergence({running: 1, desired: 1}, [early], byId, {since: '2026-01-01T00:00:05.100000000Z', fresh: true}).converged).to.equal(false)
      expect(convergence({running: 1, desired: 1}, [early], byId, {since: '2026-01-01T00:00:04.999999999Z', fresh: true}).converged).to.equal(true)
    })
  })

  describe('describeConvergence', () => {
    it('says it in one line: counts, per node states, the last error', () => {
      const view: Convergence = {
        running: 1, desired: 2, converged: false, errors: ['No such image: x (rejected)', 'older'],
        nodes: [{node: 'node-1', running: 1, desired: 1, states: []}, {node: 'node-2', running: 0, desired: 2, states: ['preparing', 'preparing', 'starting']}],
      }
      expect(describeConvergence(view)).to.equal('1/2 running  [node-1 1/1  node-2 0/2 preparing,starting]  last error: No such image: x (rejected)')
    })

    it('gives only the running count when nothing is desired yet, and leaves out what is empty', () => {
      expect(describeConvergence({running: 0, desired: 0, converged: false, errors: [], nodes: []})).to.equal('0 running')
      expect(describeConvergence({running: 2, desired: 2, converged: true, errors: [], nodes: [{node: 'n', running: 2, desired: 2, states: []}]})).to.equal('2/2 running  [n 2/2]')
    })
  })

  describe('waitForConvergence (a fake engine answering a scripted sequence)', () => {
    interface Step {
      status?: {running: number; desired: number}
      tasks: TaskSummary[]
      gone?: boolean
      /** The service's UpdateStatus. */
      update?: ServiceSummary['update']
    }

    function scripted(steps: Step[]) {
      const calls = {services: [] as unknown[], tasks: [] as unknown[], nodes: 0}
      let i = 0
      let current = steps[0]
      const engine = fakeEngine({
        async listNodes() {
          calls.nodes++
          return nodes
        },
        async listServices(options) {
          calls.services.push(options)
          current = steps[Math.min(i++, steps.length - 1)]
          const service: ServiceSummary = serviceOf('s1', 'proxy', {status: current.status, update: current.update})
          return current.gone ? [serviceOf('s2', 'other')] : [serviceOf('s0', 'before'), service]
        },
        async listTasks(filter) {
          calls.tasks.push(filter)
          return current.tasks
        },
      })
      return {engine, calls, polls: () => i}
    }

    it('polls until converged, reporting each new view once, and returns the running tasks', async () => {
      const running = [task('t1', 'id-1', {stateSince: at(7)}), task('t2', 'id-2', {stateSince: at(9)})]
      const {engine, calls, polls} = scripted([
        {status: {running: 0, desired: 2}, tasks: [task('t1', 'id-1', {state: 'preparing'}), task('t2', 'id-2', {state: 'preparing'})]},
        {status: {running: 0, desired: 2}, tasks: [task('t1', 'id-1', {state: 'preparing'}), task('t2', 'id-2', {state: 'preparing'})]},
        {status: {running: 1, desired: 2}, tasks: [task('t1', 'id-1'), task('t2', 'id-2', {state: 'starting'})]},
        {status: {running: 2, desired: 2}, tasks: [...running, task('old', 'id-1', {desiredState: 'shutdown', state: 'shutdown'})]},
      ])
      const seen: string[] = []
      const result = await waitForConvergence(engine, 's1', {timeoutMs: 10_000, onChange: (view) => seen.push(describeConvergence(view))})
      expect(seen).to.deep.equal([
        '0/2 running  [node-1 0/1 preparing  node-2 0/1 preparing]',
        '1/2 running  [node-1 1/1  node-2 0/1 starting]',
        '2/2 running  [node-1 1/1  node-2 1/1]',
      ])
      expect(polls()).to.equal(4)
      expect(result.converged).to.equal(true)
      expect([result.running, result.desired]).to.deep.equal([2, 2])
      expect(result.tasks.map((t) => t.id)).to.deep.equal(['t1', 't2'])
      expect(result.lastRunningAt).to.equal(at(9))
      expect(Date.parse(result.noticedAt)).to.be.closeTo(Date.now(), 5000)
      expect(calls.nodes).to.equal(1)
      expect(calls.services[0]).to.deep.equal({status: true})
      expect(calls.tasks[0]).to.deep.equal({service: 's1'})
    })

    it('returns at once when already converged', async () => {
      const {engine, polls} = scripted([{status: {running: 1, desired: 1}, tasks: [task('t1', 'id-1')]}])
      const result = await waitForConvergence(engine, 's1', {timeoutMs: 1})
      expect(result.converged).to.equal(true)
      expect(polls()).to.equal(1)
    })

    it('times out naming the tasks\' own errors, with the view as details', async () => {
      const {engine} = scripted([
        {
          status: {running: 0, desired: 2},
          tasks: [
            task('a', 'id-1', {desiredState: 'shutdown', state: 'rejected', error: 'No such image: dockerflow/docker-flow-proxy:nope', stateSince: at(10)}),
            task('b', 'id-1', {state: 'pending', error: 'no suitable node (host-mode port already in use on 1 node)', stateSince: at(20)}),
            task('c', 'id-2', {desiredState: 'shutdown', state: 'rejected', error: 'No such image: dockerflow/docker-flow-proxy:nope', stateSince: at(5)}),
          ],
        },
      ])
      const started = Date.now()
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 300}).catch((error: unknown) => error)
      expect(Date.now() - started).to.be.at.least(250) // the timeout; a slow machine only makes it longer
      expect(error).to.be.instanceOf(SwarmnetError)
      expect((error as SwarmnetError).message).to.equal(
        'not running after 0.3s: 0/2 tasks running; no suitable node (host-mode port already in use on 1 node); No such image: dockerflow/docker-flow-proxy:nope (rejected)',
      )
      expect((error as SwarmnetError).details).to.deep.include({running: 0, desired: 2, converged: false})
    })

    it('times out without errors to name, desired unknown', async () => {
      const {engine} = scripted([{tasks: []}])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 100}).catch((error: Error) => error) as Error
      expect(error.message).to.equal('not running after 0.1s: 0 tasks running')
    })

    it('names only the errors of tasks created since `since`', async () => {
      const {engine} = scripted([
        {
          status: {running: 0, desired: 1},
          tasks: [
            task('old', 'id-1', {desiredState: 'shutdown', state: 'failed', error: 'from the last deploy', createdAt: at(1)}),
            task('new', 'id-1', {state: 'pending', error: 'no suitable node', createdAt: at(30)}),
          ],
        },
      ])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 100, since: at(20)}).catch((error: Error) => error) as Error
      expect(error.message).to.equal('not running after 0.1s: 0/1 tasks running; no suitable node')
    })

    const updating = (state: string, startedAt = at(21), message = '') => ({state, startedAt, message})

    it('with `fresh`, waits for the rolling update to complete and for the replacement tasks', async () => {
      const {engine, polls} = scripted([
        {status: {running: 1, desired: 1}, tasks: [task('old', 'id-1', {createdAt: at(1)})]},
        {status: {running: 1, desired: 1}, update: updating('updating'), tasks: [task('old', 'id-1', {createdAt: at(1)})]},
        {status: {running: 0, desired: 1}, update: updating('updating'), tasks: [task('old', 'id-1', {createdAt: at(1), desiredState: 'shutdown', state: 'shutdown'}), task('new', 'id-1', {createdAt: at(30), state: 'starting'})]},
        {status: {running: 1, desired: 1}, update: updating('updating'), tasks: [task('new', 'id-1', {createdAt: at(30)})]},
        {status: {running: 1, desired: 1}, update: updating('completed'), tasks: [task('new', 'id-1', {createdAt: at(30)})]},
      ])
      const result = await waitForConvergence(engine, 's1', {timeoutMs: 10_000, since: at(20), fresh: true})
      expect(result.tasks.map((t) => t.id)).to.deep.equal(['new'])
      expect(polls()).to.equal(5)
    })

    it('with `fresh`, does not converge on a completed update while an old task still runs', async () => {
      const {engine} = scripted([{status: {running: 1, desired: 1}, update: updating('completed'), tasks: [task('old', 'id-1', {createdAt: at(1)})]}])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 100, since: at(20), fresh: true}).catch((error: Error) => error) as Error
      expect(error.message).to.equal('not running after 0.1s: 1/1 tasks running')
    })

    for (const [state, said] of [['paused', 'update paused'], ['rollback_started', 'update rollback started'], ['rollback_completed', 'update rollback completed']]) {
      it(`with \`fresh\`, stops at once when the update is ${state}, with Docker's message`, async () => {
        const message = 'update paused due to failure or early termination of task abc123'
        const {engine, polls} = scripted([{status: {running: 0, desired: 1}, update: updating(state, at(21), message), tasks: []}])
        const error = await waitForConvergence(engine, 's1', {timeoutMs: 10_000, since: at(20), fresh: true}).catch((error: unknown) => error)
        expect(error).to.be.instanceOf(SwarmnetError)
        expect((error as Error).message).to.equal(`${said}: ${message}`)
        expect(polls()).to.equal(1)
      })
    }

    it('with `fresh`, leaves out Docker\'s message when there is none', async () => {
      const {engine} = scripted([{status: {running: 0, desired: 1}, update: updating('paused'), tasks: []}])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 10_000, since: at(20), fresh: true}).catch((error: Error) => error) as Error
      expect(error.message).to.equal('update paused')
    })

    it('with `fresh`, ignores an update that started before `since` (the last deploy\'s)', async () => {
      const {engine} = scripted([{status: {running: 1, desired: 1}, update: updating('paused', at(3), 'old failure'), tasks: [task('old', 'id-1', {createdAt: at(1)})]}])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 100, since: at(20), fresh: true}).catch((error: Error) => error) as Error
      expect(error.message).to.equal('not running after 0.1s: 1/1 tasks running')
    })

    it('without `fresh`, pays no attention to the update status', async () => {
      const {engine} = scripted([{status: {running: 1, desired: 1}, update: updating('paused', at(21), 'x'), tasks: [task('t1', 'id-1')]}])
      expect((await waitForConvergence(engine, 's1', {timeoutMs: 100, since: at(20)})).converged).to.equal(true)
    })

    it('fails when the service is removed while it waits', async () => {
      const {engine} = scripted([{status: {running: 0, desired: 1}, tasks: []}, {tasks: [], gone: true}])
      const error = await waitForConvergence(engine, 's1', {timeoutMs: 10_000}).catch((error: unknown) => error)
      expect(error).to.be.instanceOf(SwarmnetError)
      expect((error as Error).message).to.equal('service s1 was removed while swarmnet waited for it')
    })
  })
})
