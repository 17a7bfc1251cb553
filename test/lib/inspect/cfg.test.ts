import {expect} from 'chai'

import type {Engine, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {CFG_PATH, type CfgInput, type CfgResult, inspectCfg, rawFile} from '../../../src/lib/inspect/cfg.js'
import {type FakeRoute, fakeCluster} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'
import {CFG, CFG_TWO_ROUTES, CFG_USERS} from '../../helpers/haproxy-cfgs.js'
import {asInCi} from '../../helpers/fixtures.js'

const nodes = [node('n1', 'node-1', '192.0.2.11', 'manager'), node('n2', 'node-2', '192.0.2.12'), node('n3', 'node-3', '192.0.2.13')]
const proxy = serviceOf('svc-proxy-0123456789', 'proxy', {image: 'dockerflow/docker-flow-proxy:latest', replicas: 3})
const cid = (n: number) => `c${n}`.padEnd(64, String(n))
const tid = (n: number) => `task${n}`.padEnd(25, String.fromCharCode(96 + n))
const replicaTask = (n: number, nodeId: string, overrides: Partial<TaskSummary> = {}) =>
  taskOf(tid(n), proxy.id, nodeId, {slot: n, image: proxy.image, containerId: cid(n), ...overrides})
const defaultTasks = [replicaTask(3, 'n3'), replicaTask(1, 'n1'), replicaTask(2, 'n2')]

interface World {
  tasks?: TaskSummary[]
  /** The file in each container, by container id; an Error to fail the read. */
  files?: Record<string, string | Error>
  /** Override how a node is reached. */
  routes?: Record<string, FakeRoute>
  /** Running containers listed by task label, per task id (default: the task's own container). */
  labelled?: Record<string, string[]>
  /** Containers that no longer run (killed, not yet noticed by the manager). */
  dead?: string[]
}

function world(w: World = {}) {
  const log: string[] = []
  const files = w.files ?? {[cid(1)]: CFG, [cid(2)]: CFG, [cid(3)]: CFG}
  let inFlight = 0
  const stats = {most: 0}
  const manager = fakeEngine({
    target: 'unix:///var/run/docker.sock',
    listNodes: async () => nodes,
    listServices: async () => [serviceOf('svc-godemo', 'go-demo'), proxy],
    async listTasks(filter = {}) {
      const tasks = w.tasks ?? defaultTasks
      return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
    },
  })
  const nodeEngine = (nodeId: string, target: string): Engine =>
    fakeEngine({
      target,
      async listContainers(filter) {
        log.push(`${nodeId} listContainers ${JSON.stringify(filter)}`)
        const label = filter?.labels?.[0] ?? ''
        const taskId = label.replace('com.docker.swarm.task.id=', '')
        // Running containers only (docker ps): by default each task's own, unless the world says otherwise.
        const own = (w.tasks ?? defaultTasks).filter((t) => t.id === taskId && t.containerId && !(w.dead ?? []).includes(t.containerId)).map((t) => t.containerId!)
        return (w.labelled?.[taskId] ?? own).map((id) => ({id, name: `proxy.x.${taskId}`, image: proxy.image, state: 'running', labels: {}}))
      },
      async readContainerFile(container, path) {
        log.push(`${nodeId} read ${container.slice(0, 12)} ${path}`)
        inFlight++
        stats.most = Math.max(stats.most, inFlight)
        await new Promise((resolve) => {
          setTimeout(resolve, 20)
        })
        inFlight--
        const file = files[container]
        if (file === undefined) throw Object.assign(new Error('(HTTP code 404) no such container'), {statusCode: 404, json: {message: `No such container: ${container}`}})
        if (file instanceof Error) throw file
        return Buffer.from(file)
      },
    })
  const routes: Record<string, FakeRoute> = {
    n1: {engine: nodeEngine('n1', 'unix:///var/run/docker.sock'), via: 'manager'},
    n2: nodeEngine('n2', 'ssh://root@192.0.2.12:22'),
    n3: {engine: nodeEngine('n3', 'tcp://192.0.2.13:2376'), via: 'tcp'},
    ...w.routes,
  }
  const cluster = fakeCluster(manager, routes)
  return {cluster, log, stats}
}

const input = (overrides: Partial<CfgInput> = {}): CfgInput => ({json: false, showSecrets: false, ...overrides})
const fails = async (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('should have failed'),
    (error: Error) => error,
  )
const bytes = (text: string) => Buffer.byteLength(text)

describe('inspect/cfg', () => {
  asInCi()

  describe('inspectCfg', () => {
    it('reads every running replica\'s /cfg/haproxy.cfg through its node\'s engine, by its container', async () => {
      const {cluster, log} = world()
      const result = await inspectCfg(cluster, input())
      expect(result.proxy).to.equal('proxy')
      expect(result.replicas.map(({config, ...row}) => row)).to.deep.equal([
        {node: 'node-1', task: 'proxy.1', taskId: tid(1), state: 'running', engine: 'manager unix:///var/run/docker.sock', container: cid(1).slice(0, 12), text: CFG, bytes: bytes(CFG)},
        {node: 'node-2', task: 'proxy.2', taskId: tid(2), state: 'running', engine: 'ssh ssh://root@192.0.2.12:22', container: cid(2).slice(0, 12), text: CFG, bytes: bytes(CFG)},
        {node: 'node-3', task: 'proxy.3', taskId: tid(3), state: 'running', engine: 'tcp tcp://192.0.2.13:2376', container: cid(3).slice(0, 12), text: CFG, bytes: bytes(CFG)},
      ])
      expect(CFG_PATH).to.equal('/cfg/haproxy.cfg')
      expect(log.filter((l) => l.includes(' read ')).sort()).to.deep.equal([
        `n1 read ${cid(1).slice(0, 12)} /cfg/haproxy.cfg`, `n2 read ${cid(2).slice(0, 12)} /cfg/haproxy.cfg`, `n3 read ${cid(3).slice(0, 12)} /cfg/haproxy.cfg`,
      ])
      // Each container is confirmed running after its file is read (a killed one's file can still be read).
      expect(log.filter((l) => l.includes('listContainers')).sort()).to.deep.equal([1, 2, 3].map((n) => `n${n} listContainers {"labels":["com.docker.swarm.task.id=${tid(n)}"]}`))
      expect([...cluster.asked].sort()).to.deep.equal(['n1', 'n2', 'n3'])
    })

    it('says they are identical: one group, the comparison with no drift, nothing masked', async () => {
      const result = await inspectCfg(world().cluster, input())
      expect(result.identical).to.equal(true)
      expect(result.groups).to.deep.equal([{replicas: ['proxy.1', 'proxy.2', 'proxy.3'], bytes: bytes(CFG)}])
      expect(result.masked).to.equal(0)
      expect(result.comparison?.identical).to.equal(true)
      expect(result.comparison?.diffs).to.deep.equal([])
      expect(result.comparison?.groups).to.deep.equal([{labels: ['proxy.1', 'proxy.2', 'proxy.3'], bytes: bytes(CFG)}])
    })

    it('parses each file it read', async () => {
      const result = await inspectCfg(world().cluster, input())
      const config = result.replicas[0].config!
      expect(config.frontends.map((f) => f.name)).to.deep.equal(['services'])
      expect(config.routes.map((r) => [r.backend, r.naming.serviceName, r.naming.port])).to.deep.equal([['go-demo-be8080_0', 'go-demo', 8080]])
    })

    it('reads the replicas concurrently', async () => {
      const {cluster, stats} = world()
      await inspectCfg(cluster, input())
      expect(stats.most).to.equal(3)
    })

    it('finds the container by the task\'s label when the task reports none', async () => {
      const {cluster, log} = world({
        tasks: [replicaTask(1, 'n1'), replicaTask(2, 'n2', {containerId: undefined})],
        labelled: {[tid(2)]: ['c9'.padEnd(64, '9'), 'c8'.padEnd(64, '8')]},
        files: {[cid(1)]: CFG, ['c9'.padEnd(64, '9')]: CFG},
      })
      const result = await inspectCfg(cluster, input())
      expect(log).to.include(`n2 listContainers {"labels":["com.docker.swarm.task.id=${tid(2)}"]}`)
      expect(result.replicas[1]).to.include({container: 'c99999999999', text: CFG})
      expect(result.identical).to.equal(true)
    })

    it('makes a replica whose container cannot be found a failed row', async () => {
      const {cluster} = world({tasks: [replicaTask(1, 'n1'), replicaTask(2, 'n2', {containerId: undefined})]})
      const result = await inspectCfg(cluster, input())
      expect(result.replicas[1]).to.deep.equal({node: 'node-2', task: 'proxy.2', taskId: tid(2), state: 'running', engine: 'ssh ssh://root@192.0.2.12:22', error: `no container of task ${tid(2).slice(0, 12)} on node-2`})
    })

    it('reads the others when a replica\'s engine cannot be reached, and makes that one a row with the error', async () => {
      const {cluster} = world({routes: {n2: new SwarmnetError('cannot reach the engine of node node-2 (192.0.2.12); tried ssh: connection refused')}})
      const result = await inspectCfg(cluster, input())
      expect(result.replicas[1]).to.deep.equal({node: 'node-2', task: 'proxy.2', taskId: tid(2), state: 'running', error: 'cannot reach the engine of node node-2 (192.0.2.12); tried ssh: connection refused'})
      expect(result.replicas.map((r) => r.text !== undefined)).to.deep.equal([true, false, true])
      expect(result.identical).to.equal(true)
      expect(result.groups).to.deep.equal([{replicas: ['proxy.1', 'proxy.3'], bytes: bytes(CFG)}])
      expect(result.comparison?.identical).to.equal(true)
    })

    it('does not take the file of a container that no longer runs (killed, the manager not told yet): that replica is not read', async () => {
      const {cluster} = world({dead: [cid(2)]})
      const result = await inspectCfg(cluster, input())
      expect(result).to.include({read: 2, desired: 3})
      expect(result.notRead).to.deep.equal([{task: 'proxy.2', taskId: tid(2), node: 'node-2', state: 'running', reason: `container ${cid(2).slice(0, 12)} of task ${tid(2).slice(0, 12)} is not running (being replaced)`}])
      expect(result.replicas[1]).to.not.have.property('text')
    })

    it('waits (--wait) for a replica still preparing, then reads it', async () => {
      let calls = 0
      const {cluster} = world()
      const listTasks = cluster.engine.listTasks
      cluster.engine.listTasks = async (filter) => (++calls <= 3 ? [replicaTask(1, 'n1'), replicaTask(2, 'n2'), replicaTask(3, 'n3', {state: 'preparing', containerId: undefined})] : listTasks(filter))
      const result = await inspectCfg(cluster, input({waitMs: 10_000}))
      expect(calls).to.be.above(3)
      expect(result).to.include({read: 3, desired: 3, identical: true})
      expect(result.notRead).to.deep.equal([])
    })

    it('without --wait names a replica still preparing as not read', async () => {
      const {cluster} = world({tasks: [replicaTask(1, 'n1'), replicaTask(2, 'n2'), replicaTask(3, 'n3', {state: 'preparing', containerId: undefined})]})
      const result = await inspectCfg(cluster, input())
      expect(result).to.include({read: 2, desired: 3, identical: true})
      expect(result.notRead).to.deep.equal([{task: 'proxy.3', taskId: tid(3), node: 'node-3', state: 'preparing', reason: 'task is preparing'}])
      expect(result.replicas[2]).to.deep.equal({node: 'node-3', task: 'proxy.3', taskId: tid(3), state: 'preparing', error: 'task is preparing'})
    })

    it('makes a failed read a row with the engine, the container and the Docker API\'s reason', async () => {
      const {cluster} = world({files: {[cid(1)]: CFG, [cid(3)]: CFG}})
      const result = await inspectCfg(cluster, input())
      expect(result.replicas[1]).to.deep.equal({
        node: 'node-2', task: 'proxy.2', taskId: tid(2), state: 'running', engine: 'ssh ssh://root@192.0.2.12:22', container: cid(2).slice(0, 12), error: `No such container: ${cid(2)}`,
      })
    })

    it('groups differing replicas, largest group first, and compares them', async () => {
      const {cluster} = world({files: {[cid(1)]: CFG_TWO_ROUTES, [cid(2)]: CFG, [cid(3)]: CFG_TWO_ROUTES}})
      const result = await inspectCfg(cluster, input())
      expect(result.identical).to.equal(false)
      expect(result.groups).to.deep.equal([{replicas: ['proxy.1', 'proxy.3'], bytes: bytes(CFG_TWO_ROUTES)}, {replicas: ['proxy.2'], bytes: bytes(CFG)}])
      const comparison = result.comparison!
      expect(comparison.identical).to.equal(false)
      expect(comparison.reference).to.equal('proxy.1')
      expect(comparison.routes.filter((r) => r.missingFrom.length > 0).map((r) => [r.backend, r.missingFrom])).to.deep.equal([['api-be8080_0', ['proxy.2']]])
      expect(comparison.diffs.map((d) => [d.reference, d.labels])).to.deep.equal([['proxy.1', ['proxy.2']]])
      expect(comparison.diffs[0].patch).to.include('-    acl url_api8080_0 path_beg /api')
    })

    it('masks passwords in what it shows and counts them per file', async () => {
      const {cluster} = world({files: {[cid(1)]: CFG_USERS, [cid(2)]: CFG_USERS, [cid(3)]: CFG}})
      const result = await inspectCfg(cluster, input())
      expect(result.replicas[0].text).to.include('    user admin insecure-password ***\n    user bob password ***\n')
      expect(result.replicas[0].text).to.not.include('s3cret')
      expect(result.replicas[0].text).to.not.include('$6$salt')
      expect(result.masked).to.equal(2)
      // The bytes are the file's, as read.
      expect(result.replicas[0].bytes).to.equal(bytes(CFG_USERS))
      expect(result.groups).to.deep.equal([{replicas: ['proxy.1', 'proxy.2'], bytes: bytes(CFG_USERS)}, {replicas: ['proxy.3'], bytes: bytes(CFG)}])
      expect(result.comparison!.diffs[0].patch).to.include('-    user admin insecure-password ***')
      expect(result.comparison!.diffs[0].patch).to.not.include('s3cret')
    })

    it('shows passwords with showSecrets, and counts none', async () => {
      const {cluster} = world({files: {[cid(1)]: CFG_USERS, [cid(2)]: CFG_USERS, [cid(3)]: CFG_USERS}})
      const result = await inspectCfg(cluster, input({showSecrets: true}))
      expect(result.replicas.map((r) => r.text)).to.deep.equal([CFG_USERS, CFG_USERS, CFG_USERS])
      expect(result.masked).to.equal(0)
    })

    it('tells files that differ only in a password apart (grouped before masking)', async () => {
      const other = CFG_USERS.replace('s3cret', 'other')
      const {cluster} = world({files: {[cid(1)]: CFG_USERS, [cid(2)]: other, [cid(3)]: CFG_USERS}})
      const result = await inspectCfg(cluster, input())
      expect(result.identical).to.equal(false)
      expect(result.groups.map((g) => g.replicas)).to.deep.equal([['proxy.1', 'proxy.3'], ['proxy.2']])
      // What is shown and compared is masked, so the comparison sees no difference.
      expect(result.replicas[0].text).to.equal(result.replicas[1].text)
      expect(result.comparison!.identical).to.equal(true)
    })

    it('with raw, neither parses nor compares', async () => {
      const {cluster} = world({files: {[cid(1)]: CFG_TWO_ROUTES, [cid(2)]: CFG, [cid(3)]: CFG}})
      const result = await inspectCfg(cluster, input({raw: true}))
      expect(result).to.not.have.property('comparison')
      expect(result.replicas.every((r) => r.config === undefined)).to.equal(true)
      expect(result.identical).to.equal(false)
    })

    it('does not compare a single readable replica, and names the desired replicas that have no task', async () => {
      const {cluster} = world({tasks: [replicaTask(1, 'n1')]})
      const result = await inspectCfg(cluster, input())
      expect(result.replicas).to.have.lengthOf(3)
      expect(result).to.include({read: 1, desired: 3, identical: true})
      expect(result.notRead.map((r) => [r.task, r.state])).to.deep.equal([['proxy.2', 'not created'], ['proxy.3', 'not created']])
      expect(result).to.not.have.property('comparison')
    })

    describe('--node and --task', () => {
      for (const ref of ['node-2', 'n2', '192.0.2.12']) {
        it(`reads only the replica on --node ${ref}`, async () => {
          const {cluster, log} = world()
          const result = await inspectCfg(cluster, input({node: ref}))
          expect(result.replicas.map((r) => r.task)).to.deep.equal(['proxy.2'])
          expect(log.filter((l) => l.includes(' read '))).to.deep.equal([`n2 read ${cid(2).slice(0, 12)} /cfg/haproxy.cfg`])
        })
      }

      it('reads every replica on that node', async () => {
        const {cluster} = world({tasks: [...defaultTasks, replicaTask(4, 'n2')], files: {[cid(1)]: CFG, [cid(2)]: CFG, [cid(3)]: CFG, [cid(4)]: CFG}})
        expect((await inspectCfg(cluster, input({node: 'node-2'}))).replicas.map((r) => r.task)).to.deep.equal(['proxy.2', 'proxy.4'])
      })

      it('refuses a --node with no replica, listing the replicas', async () => {
        const error = await fails(inspectCfg(world().cluster, input({node: 'node-9'})))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal(
          `no proxy replica on node "node-9"; replicas: proxy.1 (${tid(1).slice(0, 12)}) on node-1, proxy.2 (${tid(2).slice(0, 12)}) on node-2, proxy.3 (${tid(3).slice(0, 12)}) on node-3`,
        )
      })

      for (const ref of [tid(3), tid(3).slice(0, 5), 'proxy.3']) {
        it(`reads only the replica of --task ${ref}`, async () => {
          const result = await inspectCfg(world().cluster, input({task: ref}))
          expect(result.replicas.map((r) => r.task)).to.deep.equal(['proxy.3'])
        })
      }

      for (const ref of ['ta', 'task', 'proxy.9']) {
        it(`refuses --task ${ref} (too short, ambiguous or unknown)`, async () => {
          const error = await fails(inspectCfg(world().cluster, input({task: ref})))
          expect(error).to.be.instanceOf(UsageError)
          expect(error.message).to.equal(
            `no single proxy replica matches task "${ref}"; replicas: proxy.1 (${tid(1).slice(0, 12)}) on node-1, proxy.2 (${tid(2).slice(0, 12)}) on node-2, proxy.3 (${tid(3).slice(0, 12)}) on node-3`,
          )
        })
      }
    })

    describe('no running replica', () => {
      it('names the pending task\'s state and error', async () => {
        const tasks = [replicaTask(1, '', {state: 'pending', error: 'no suitable node (scheduling constraints not satisfied on 3 nodes)'}), replicaTask(2, 'n2', {state: 'preparing'})]
        const error = await fails(inspectCfg(world({tasks}).cluster, input()))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error.message).to.equal('the proxy service proxy has no running task (proxy.1 is pending: no suitable node (scheduling constraints not satisfied on 3 nodes))')
      })

      it('names its state alone when there is no error', async () => {
        const error = await fails(inspectCfg(world({tasks: [replicaTask(2, 'n2', {state: 'preparing'})]}).cluster, input()))
        expect(error.message).to.equal('the proxy service proxy has no running task (proxy.2 is preparing)')
      })

      it('names the replica Swarm has not made a task for when there is no task at all', async () => {
        const error = await fails(inspectCfg(world({tasks: []}).cluster, input()))
        expect(error.message).to.equal('the proxy service proxy has no running task (proxy.1 is not created: Swarm has not made its task yet)')
      })
    })

    it('refuses an unknown --proxy', async () => {
      const error = await fails(inspectCfg(world().cluster, input({proxy: 'nope'})))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.message).to.equal('unknown proxy service "nope"; proxy services here: proxy')
    })
  })

  describe('rawFile', () => {
    const row = (task: string, node: string, text?: string, error?: string) => ({node, task, taskId: `${task}-id`, state: 'running', ...(text === undefined ? {} : {text}), ...(error ? {error} : {})})
    const result = (replicas: CfgResult['replicas'], identical: boolean): CfgResult => {
      const read = replicas.filter((r) => r.text !== undefined).length
      return {proxy: 'proxy', replicas, read, desired: replicas.length, notRead: [], identical, groups: [], masked: 0}
    }

    it('gives the common file of identical replicas: the first readable one', async () => {
      const replicas = [row('proxy.1', 'node-1', undefined, 'boom'), row('proxy.2', 'node-2', 'A'), row('proxy.3', 'node-3', 'A')]
      expect(await rawFile(result(replicas, true), false)).to.equal(replicas[1])
    })

    it('refuses to choose between differing files without a terminal, naming --node and --task', async () => {
      const replicas = [row('proxy.1', 'node-1', 'A'), row('proxy.2', 'node-2', 'B'), row('proxy.3', 'node-3', undefined, 'boom')]
      for (const json of [false, true]) {
        const error = await fails(rawFile(result(replicas, false), json))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal("the replicas' files differ (proxy.1 on node-1, proxy.2 on node-2); choose one with --node NODE or --task ID")
      }
    })

    it('fails when no replica could be read, with each one\'s reason', async () => {
      const error = await fails(rawFile(result([row('proxy.1', 'node-1', undefined, 'boom'), row('proxy.2', 'node-2', undefined, 'bang')], true), false))
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error).to.not.be.instanceOf(UsageError)
      expect(error.message).to.equal('no replica could be read: node-1 (proxy.1): boom; node-2 (proxy.2): bang')
    })

    it('works on what inspectCfg returns', async () => {
      const identical = await inspectCfg(world().cluster, input({raw: true}))
      expect((await rawFile(identical, false)).task).to.equal('proxy.1')
      const one = await inspectCfg(world({files: {[cid(1)]: CFG_TWO_ROUTES, [cid(2)]: CFG, [cid(3)]: CFG}}).cluster, input({raw: true, node: 'node-1'}))
      expect((await rawFile(one, false)).text).to.equal(CFG_TWO_ROUTES)
    })
  })
})
