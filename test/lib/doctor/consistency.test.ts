import {expect} from 'chai'

import {type Context, type Reached, consistencyCheck} from '../../../src/lib/doctor/doctor.js'
import type {NodeFacts} from '../../../src/lib/doctor/facts.js'
import {node} from '../../helpers/fake-engine.js'

const NODES = [node('n1', 'node-1', '10.0.0.11', 'manager'), node('n2', 'node-2', '10.0.0.12'), node('n3', 'node-3', '10.0.0.13')]

/** Each node reached, with the TCP connects it tried: `refused` lists the "address:port"s that failed. */
function world(views: Context['views'], refused: string[] = []): {context: Context; reached: (name: string) => Reached} {
  const reached = NODES.map((n): Reached => {
    const probes = new Map<string, boolean>()
    for (const peer of NODES.filter((p) => p !== n)) for (const port of [2377, 7946]) probes.set(`${peer.address}:${port}`, !refused.includes(`${peer.address}:${port}`))
    const facts = {probes, addresses: new Map([[n.address, 'eth0']])} as unknown as NodeFacts
    return {node: n, facts}
  })
  const context = {allNodes: NODES, managers: [NODES[0]], reached, views} as unknown as Context
  return {context, reached: (name) => reached.find((r) => r.node.hostname === name)!}
}

const task = (name: string, ip: string, on: string) => ({task: name, ip, node: on})
const view = (on: string, missing: ReturnType<typeof task>[] = [], stale: string[] = []) => ({node: on, network: 'app', peers: [], missing, stale})
const NODE3_BLOCKED = ['10.0.0.13:7946'] // node-1 and node-2 cannot connect to node-3's 7946
const CUT_OFF = 'this node is cut off from the gossip: its 7946 checks fail (above); open 7946/tcp+udp to and from it'

describe('doctor: the consistency check', () => {
  it('every view matches the tasks: pass', () => {
    const {context, reached} = world([view('node-1'), view('node-2'), view('node-3')])
    expect(consistencyCheck(reached('node-2'), context)).to.deep.equal({name: 'consistency', status: 'pass', detail: "its view of app matches the manager's tasks"})
  })

  // As node-3's gossip decays, its view lacks first one node's new task, then both, and later the
  // others lose node-3's tasks too. The diagnosis is the same at every stage: it rests on the
  // failing 7946 checks, not on how far the decay has got.
  const stages: [string, Context['views']][] = [
    ['its view lacks one other node\'s task', [view('node-1'), view('node-2'), view('node-3', [task('go-demo.4', '10.0.1.9', 'node-1')])]],
    ['its view lacks both others\' tasks', [view('node-1'), view('node-2'), view('node-3', [task('go-demo.4', '10.0.1.9', 'node-1'), task('go-demo.2', '10.0.1.7', 'node-2')])]],
    ['its view is stale only', [view('node-1'), view('node-2'), view('node-3', [], ['10.0.1.6'])]],
    ['the others lost its tasks, its own view is fine', [view('node-1', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-2', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-3')]],
    ['everything at once', [view('node-1', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-2', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-3', [task('go-demo.4', '10.0.1.9', 'node-1')], ['10.0.1.6'])]],
  ]
  for (const [stage, views] of stages) {
    it(`7946 blocked on node-3, ${stage}: node-3 fails, cut off; the others pass or point at node-3`, () => {
      const {context, reached} = world(views, NODE3_BLOCKED)
      expect(consistencyCheck(reached('node-3'), context)).to.deep.include({status: 'fail', hint: CUT_OFF})
      for (const other of ['node-1', 'node-2']) {
        const check = consistencyCheck(reached(other), context)
        if (check.status !== 'pass') expect(check, other).to.deep.include({status: 'warn', hint: 'node-3 is cut off from the gossip: 7946 fails there (see its row)'})
      }
    })
  }

  it('the detail says what the view lacks and holds that it should not', () => {
    const {context, reached} = world(stages[4][1], NODE3_BLOCKED)
    expect(consistencyCheck(reached('node-3'), context).detail).to.equal('missing go-demo.4 10.0.1.9 on node-1 (app); stale 10.0.1.6 (app)')
    expect(consistencyCheck(reached('node-1'), context)).to.deep.equal({name: 'consistency', status: 'warn', detail: 'missing go-demo.3 10.0.1.8 on node-3 (app)', hint: 'node-3 is cut off from the gossip: 7946 fails there (see its row)'})
  })

  it('with no port check failing, the views are all there is: the node whose tasks one view lacks is named as probably cut off', () => {
    const {context, reached} = world([view('node-1'), view('node-2'), view('node-3', [task('go-demo.4', '10.0.1.9', 'node-1')])])
    expect(consistencyCheck(reached('node-3'), context)).to.deep.include({status: 'warn', hint: "it lacks only node-1's tasks: node-1 is probably the node cut off from the gossip (7946)"})
  })

  it('with no port check failing, a node whose tasks every other view lacks is cut off', () => {
    const views = [view('node-1', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-2', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-3')]
    const {context, reached} = world(views)
    expect(consistencyCheck(reached('node-3'), context)).to.deep.equal({name: 'consistency', status: 'fail', detail: "the other nodes do not see this node's tasks", hint: 'this node is cut off from the gossip: open 7946/tcp+udp to and from it'})
  })

  it('a node with no task on an overlay: skipped', () => {
    const {context, reached} = world([view('node-1')])
    expect(consistencyCheck(reached('node-2'), context)).to.deep.include({status: 'skip'})
  })
})
