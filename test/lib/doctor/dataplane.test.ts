import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Context, Reached} from '../../../src/lib/doctor/checks.js'
import {fdbCheck, ipOfMac, macOf, parseDataPlane} from '../../../src/lib/doctor/dataplane.js'
import {parseFacts} from '../../../src/lib/doctor/facts.js'
import type {NetworkSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

// Recorded on the lab (3 nodes, engine 20.10.24) with an overlay `fdbnet` and a global dnsrr service
// `fdbdemo` on it: node-N.txt is doctor's dataplane section as each node printed it; the .jsonl files
// are the manager's nodes, overlays, services and running tasks (docker inspect, trimmed).
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/dataplane')
const text = (name: string) => readFileSync(path.join(DIR, name), 'utf8')
const lines = <T>(name: string): T[] => text(name).trim().split('\n').map((l) => JSON.parse(l) as T)

const NODES = lines<{id: string; hostname: string; address: string}>('nodes.jsonl').map((n) => node(n.id, n.hostname, n.address, n.hostname === 'node-1' ? 'manager' : 'worker'))
const NETWORKS: NetworkSummary[] = lines<{id: string; name: string; subnet: string}>('networks.jsonl').map((n) => ({id: n.id, name: n.name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: n.name === 'ingress', encrypted: false, subnets: [{subnet: n.subnet}], options: {}, labels: {}}))
const SERVICES = lines<{id: string; name: string; mode: 'global' | 'replicated'}>('services.jsonl').map((s) => serviceOf(s.id, s.name, {mode: s.mode}))
const TASKS = lines<{id: string; serviceId: string; nodeId: string; slot: number; addresses: {networkId: string; address: string}[]}>('tasks.jsonl')
  .map((t) => taskOf(t.id, t.serviceId, t.nodeId, {...(t.slot ? {slot: t.slot} : {}), addresses: t.addresses.map((a) => ({networkId: a.networkId, address: a.address.split('/')[0]}))}))
const FDBNET = NETWORKS.find((n) => n.name === 'fdbnet')!
const byHost = (hostname: string) => NODES.find((n) => n.hostname === hostname)!
/** The fdbdemo task on a node, its address on fdbnet and its MAC. */
function taskOn(hostname: string): {task: TaskSummary; ip: string; mac: string} {
  const task = TASKS.find((t) => t.nodeId === byHost(hostname).id && t.addresses.some((a) => a.networkId === FDBNET.id))!
  const ip = task.addresses.find((a) => a.networkId === FDBNET.id)!.address
  return {task, ip, mac: macOf(ip)}
}

/** The three nodes reached, each with its recorded section, changed by `edit` where given. */
function world(edit: Record<string, (recorded: string) => string> = {}, tasks: TaskSummary[] = TASKS): {context: Context; reached: (name: string) => Reached} {
  const reached = NODES.map((n): Reached => {
    const section = (edit[n.hostname] ?? ((s: string) => s))(text(`${n.hostname}.txt`))
    return {node: n, facts: {ipvs: 'missing', kernel: '', addresses: new Map(), mtus: new Map(), ufw: 'absent', firewalld: 'absent', probes: new Map(), dataPlane: parseDataPlane(section.replace(/^### dataplane\n/, ''))}}
  })
  const context: Context = {allNodes: NODES, managers: NODES.slice(0, 1), reached, services: SERVICES, networks: NETWORKS, tasks, dataPath: {results: new Map()}, views: []}
  return {context, reached: (name) => reached.find((r) => r.node.hostname === name)!}
}

describe('doctor: the data plane (fdb)', () => {
  describe('parsing what a node prints', () => {
    it("reads the exec root, each overlay's forwarding and neighbour entries, and each sandbox's addresses", () => {
      const plane = parseDataPlane(text('node-2.txt'))!
      expect(plane.execRoot).to.equal('/run/swarmnet-lab/node-2/exec')
      const overlay = plane.overlays.find((o) => FDBNET.id.startsWith(o.name.slice(2)))!
      expect(overlay.path).to.equal(`/run/swarmnet-lab/node-2/exec/netns/1-${FDBNET.id.slice(0, 10)}`)
      const {ip, mac} = taskOn('node-3')
      expect(overlay.fdb).to.deep.include({mac, dev: 'vxlan0', dst: byHost('node-3').address})
      expect(overlay.neighbours).to.deep.include({ip, dev: 'vxlan0', mac})
      // Only remote (dst) entries: the bridge's own and learnt local ones are not forwarding over VXLAN.
      expect(overlay.fdb.every((e) => e.dst)).to.equal(true)
      const own = taskOn('node-2')
      expect(plane.sandboxes.flatMap((s) => s.addresses)).to.deep.include({ip: own.ip, iface: 'eth0', mac: own.mac})
    })

    it('is part of the node facts, and absent when the section is', () => {
      expect(parseFacts(`### kernel\n6.1\n${text('node-2.txt')}### probes\n`).dataPlane?.execRoot).to.equal('/run/swarmnet-lab/node-2/exec')
      expect(parseFacts('### kernel\n6.1\n').dataPlane).to.equal(undefined)
    })

    it('derives the MAC engine 20.10 gives an overlay address, and back', () => {
      expect(macOf('10.0.2.9')).to.equal('02:42:0a:00:02:09')
      expect(ipOfMac('02:42:0a:00:02:09')).to.equal('10.0.2.9')
      expect(ipOfMac('fa:9f:7d:7d:93:b7')).to.equal(undefined)
    })
  })

  describe('the check', () => {
    it('passes on every node of the recorded, healthy lab', () => {
      const {context, reached} = world()
      for (const name of ['node-1', 'node-2', 'node-3']) {
        const check = fdbCheck(reached(name), context)
        expect(check.status, `${name}: ${check.detail}`).to.equal('pass')
        expect(check.detail).to.match(/^\d+ forwarding and neighbour entries in \d+ overlay\(s\) match where the tasks run$/)
      }
    })

    it("names a forwarding entry that sends node-3's task to node-1, on node-2 only, with the command that fixes it", () => {
      const {ip, mac} = taskOn('node-3')
      const {context, reached} = world({'node-2': (s) => s.replace(`${mac} dst ${byHost('node-3').address}`, `${mac} dst ${byHost('node-1').address}`)})
      const check = fdbCheck(reached('node-2'), context)
      const ns = `/run/swarmnet-lab/node-2/exec/netns/1-${FDBNET.id.slice(0, 10)}`
      const command = `nsenter --net=${ns} bridge fdb replace ${mac} dev vxlan0 dst ${byHost('node-3').address} self permanent`
      expect(check).to.deep.equal({
        name: 'fdb', status: 'fail',
        detail: `stale fdbnet: fdbdemo.node-3 ${ip} (on node-3, ${byHost('node-3').address}) is sent to ${byHost('node-1').address}`,
        hint: `swarmnet doctor --fix replaces it, or run on node-2: ${command}`,
        repairs: [{node: 'node-2', network: 'fdbnet', problem: `fdbnet: fdbdemo.node-3 ${ip} (on node-3, ${byHost('node-3').address}) is sent to ${byHost('node-1').address}`, command}],
      })
      for (const name of ['node-1', 'node-3']) expect(fdbCheck(reached(name), context).status).to.equal('pass')
    })

    it('names a neighbour entry that gives a task the wrong MAC', () => {
      const {ip, mac} = taskOn('node-1')
      const {context, reached} = world({'node-3': (s) => s.replace(`${ip} dev vxlan0 lladdr ${mac}`, `${ip} dev vxlan0 lladdr 02:42:0a:00:ff:ff`)})
      const check = fdbCheck(reached('node-3'), context)
      expect(check.status).to.equal('fail')
      expect(check.detail).to.equal(`stale fdbnet: fdbdemo.node-1 ${ip} (on node-1, ${byHost('node-1').address}) has MAC ${mac}, but the neighbour entry says 02:42:0a:00:ff:ff`)
      expect(check.repairs![0].command).to.equal(`nsenter --net=/run/swarmnet-lab/node-3/exec/netns/1-${FDBNET.id.slice(0, 10)} ip neigh replace ${ip} lladdr ${mac} dev vxlan0 nud permanent`)
    })

    it("names an address a node's container holds that the swarm gave to a task elsewhere, on that node only", () => {
      const {ip} = taskOn('node-3')
      const own = taskOn('node-2')
      // As `ip addr add IP/32 dev eth0` in node-2's task container shows it.
      const {context, reached} = world({'node-2': (s) => s.replace(new RegExp(`^(\\d+): eth0 +inet ${own.ip.replaceAll('.', '\\.')}/`, 'm'), `$1: eth0    inet ${ip}/32 scope global eth0\\       valid_lft forever preferred_lft forever\n$&`)})
      const check = fdbCheck(reached('node-2'), context)
      expect(check.status).to.equal('fail')
      expect(check.detail).to.equal(`duplicate fdbnet: ${ip} is held here and on node-3 (the swarm gave it to fdbdemo.node-3)`)
      expect(check.hint).to.include('docker service update --force')
      expect(check.repairs).to.equal(undefined)
      for (const name of ['node-1', 'node-3']) expect(fdbCheck(reached(name), context).status).to.equal('pass')
    })

    it('names an address the manager gave to two running tasks, on both their nodes', () => {
      const {ip} = taskOn('node-3')
      const twice = TASKS.map((t) => t.id === taskOn('node-1').task.id ? {...t, addresses: t.addresses.map((a) => a.networkId === FDBNET.id ? {...a, address: ip} : a)} : t)
      const {context, reached} = world({}, twice)
      for (const name of ['node-1', 'node-3']) expect(fdbCheck(reached(name), context).detail).to.include(`duplicate fdbnet: ${ip} is given to tasks on`)
    })

    it('skips a node whose namespaces could not be read', () => {
      const {context, reached} = world()
      const r = reached('node-1')
      expect(fdbCheck({...r, facts: {...r.facts!, dataPlane: undefined}}, context)).to.include({status: 'skip'})
    })
  })
})
