import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Context, type PathMtu, type Reached, dataPathAddressCheck, firewallCheck, mtuCheck, pathMtuFinding, report, vxlanCheck} from '../../../src/lib/doctor/checks.js'
import {type NodeFacts, parseFacts, parseRoutes} from '../../../src/lib/doctor/facts.js'
import {parseFilterTable} from '../../../src/lib/doctor/iptables.js'
import {PATH_MTU_SCRIPT, overlayMtu, parsePathMtu} from '../../../src/lib/doctor/path-mtu.js'
import type {NetworkSummary, SwarmNode, TaskSummary} from '../../../src/lib/docker/engine.js'
import {node, taskOf} from '../../helpers/fake-engine.js'

// The host's side of the data path (issue 16): the swarm's data-path port, VXLAN's outer source
// address, and the path MTU measured over the overlay.

const NODES = [node('n1', 'node-1', '10.213.0.11', 'manager'), node('n2', 'node-2', '10.213.0.12'), node('n3', 'node-3', '10.213.0.13')]
const APP: NetworkSummary = {id: 'app-id', name: 'app', driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}}

/**
 * `ip -o route get PEER` as node-3 of the lab printed it (2026-12-07): a peer, and the node's own
 * address (local, via lo); then the same peer after `ip addr add 10.213.0.113/24 dev eth0` and
 * `ip route replace 10.213.0.0/24 dev eth0 src 10.213.0.113` in its namespace.
 */
const ROUTE_PEER = '10.213.0.11 dev eth0 src 10.213.0.13 uid 0 \\    cache '
const ROUTE_LOCAL = 'local 10.213.0.13 dev lo src 10.213.0.13 uid 0 \\    cache <local> '
const ROUTE_SECOND = '10.213.0.11 dev eth0 src 10.213.0.113 uid 0 \\    cache '

function factsOf(n: SwarmNode, overrides: Partial<NodeFacts> = {}): NodeFacts {
  return {ipvs: 'module', kernel: '6.1.0', addresses: new Map([[n.address, 'eth0']]), mtus: new Map([['eth0', 1500]]), ufw: 'absent', firewalld: 'absent', probes: new Map(), ...overrides}
}

function world(given: {facts?: Record<string, Partial<NodeFacts>>; firewalls?: Record<string, string>; tasks?: TaskSummary[]; extra?: Partial<Context>} = {}): {context: Context; reached: (name: string) => Reached} {
  const reached = NODES.map((n): Reached => {
    const firewall = given.firewalls?.[n.hostname]
    return {node: n, via: `ssh://root@${n.address}:22`, facts: factsOf(n, given.facts?.[n.hostname]), ...(firewall ? {table: parseFilterTable(firewall)} : {})}
  })
  const context: Context = {allNodes: NODES, managers: [NODES[0]], reached, services: [], networks: [APP], tasks: given.tasks ?? [], dataPath: {results: new Map()}, views: [], ...given.extra}
  return {context, reached: (name) => reached.find((r) => r.node.hostname === name)!}
}

const filter = (...rules: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n')

describe('doctor: the data-path port', () => {
  it('named by the swarm\'s port: a rule dropping 4790 fails a swarm on 4790, with 4790 in the hint', () => {
    const {context, reached} = world({firewalls: {'node-2': filter('-A INPUT -p udp -m udp --dport 4790 -j DROP')}, extra: {dataPathPort: 4790}})
    expect(vxlanCheck(reached('node-2'), context)).to.deep.equal({
      name: 'vxlan 4790/udp', status: 'fail', detail: 'INPUT drops 4790/udp from node-1, node-3 (-A INPUT -p udp -m udp --dport 4790 -j DROP)',
      hint: "allow 4790/udp between the nodes (VXLAN carries every overlay's traffic: this swarm's data-path port); with --opt encrypted, IP protocol 50 (ESP) too",
    })
    expect(report(reached('node-1'), context).checks.map((c) => c.name)).to.include('vxlan 4790/udp')
  })

  it('a rule dropping 4789 does not fail a swarm whose VXLAN runs on 4790', () => {
    const {context, reached} = world({firewalls: {'node-2': filter('-A INPUT -p udp -m udp --dport 4789 -j DROP')}, extra: {dataPathPort: 4790}})
    expect(vxlanCheck(reached('node-2'), context)).to.deep.include({name: 'vxlan 4790/udp', status: 'pass'})
  })

  it('without a port read from the swarm: 4789, as before', () => {
    const {context, reached} = world({firewalls: {'node-2': filter('-A INPUT -p udp -m udp --dport 4789 -j DROP')}})
    expect(vxlanCheck(reached('node-2'), context)).to.deep.include({name: 'vxlan 4789/udp', status: 'fail'})
  })

  it('the firewall hint names the swarm\'s port', () => {
    expect(firewallCheck(factsOf(NODES[0], {ufw: 'Status: active\n'}), {dataPathPort: 4790}).hint).to.equal('allow 2377/tcp, 7946/tcp+udp and 4790/udp between the nodes in it')
  })
})

describe('doctor: the VXLAN source address', () => {
  it('parseRoutes reads the recorded `ip -o route get` lines: the peer and the node\'s own address', () => {
    expect(parseRoutes(`${ROUTE_PEER}\n${ROUTE_LOCAL}\nRTNETLINK answers: Network is unreachable`)).to.deep.equal(new Map([['10.213.0.11', '10.213.0.13'], ['10.213.0.13', '10.213.0.13']]))
  })

  it('parseFacts keeps the routes section when the script printed it, and leaves it out otherwise', () => {
    expect(parseFacts(`### kernel\n6.1\n### routes\n${ROUTE_SECOND}\n### probes\n`).routes).to.deep.equal(new Map([['10.213.0.11', '10.213.0.113']]))
    expect(parseFacts('### kernel\n6.1\n')).to.not.have.property('routes')
  })

  it('every peer reached from the advertise address: pass, and says so', () => {
    const {context, reached} = world({facts: {'node-3': {routes: new Map([['10.213.0.11', '10.213.0.13'], ['10.213.0.12', '10.213.0.13']])}}})
    expect(dataPathAddressCheck(reached('node-3'), context)).to.deep.equal({name: 'addresses', status: 'pass', detail: 'advertises 10.213.0.13, which is its own, and its packets to its peers leave from it'})
  })

  it('a second address the route prefers: fail on that node, naming the peers, the source and both fixes', () => {
    const addresses = new Map([['10.213.0.13', 'eth0'], ['10.213.0.113', 'eth0']])
    const {context, reached} = world({facts: {'node-3': {addresses, routes: new Map([['10.213.0.11', '10.213.0.113'], ['10.213.0.12', '10.213.0.113']])}}})
    expect(dataPathAddressCheck(reached('node-3'), context)).to.deep.equal({
      name: 'addresses', status: 'fail',
      detail: "packets to node-1 (10.213.0.11), node-2 (10.213.0.12) leave from 10.213.0.113, not its advertise address 10.213.0.13: VXLAN's outer source follows the route",
      hint: 'make the advertise address the source of the route to the peers (ip route replace PEER-NET dev eth0 src 10.213.0.13), or rejoin with --advertise-addr 10.213.0.113 --data-path-addr 10.213.0.113 if that is the address to use (moby/moby#47389, #53004)',
    })
  })

  it('only the peers whose route differs are named; no route read (older script): no finding', () => {
    const {context, reached} = world({facts: {'node-3': {routes: new Map([['10.213.0.11', '10.213.0.13'], ['10.213.0.12', '192.168.9.3']])}}})
    expect(dataPathAddressCheck(reached('node-3'), context).detail).to.match(/^packets to node-2 \(10\.213\.0\.12\) leave from 192\.168\.9\.3,/)
    expect(dataPathAddressCheck(reached('node-1'), context).status).to.equal('pass')
  })
})

describe('doctor: the path MTU, measured', () => {
  const probe = (largest: [string, number][]): PathMtu => ({network: 'app', mtu: 1450, largest: new Map(largest)})
  /** node-3's underlay at 1300: every pair with node-3 carries 1250 at most (as the lab measured). */
  const lowNode3 = probe([['node-1→node-2', 1450], ['node-2→node-1', 1450], ['node-1→node-3', 1250], ['node-3→node-1', 1250], ['node-2→node-3', 1250], ['node-3→node-2', 1250]])

  it('the node every short pair shares is named; its peers pass', () => {
    expect(pathMtuFinding('node-3', lowNode3)).to.deep.equal({
      short: true,
      check: {
        name: 'mtu', status: 'fail',
        detail: 'the path over app carries at most 1250 bytes, less than its MTU 1450 (node-1→node-3 1250, node-3→node-1 1250, node-2→node-3 1250, node-3→node-2 1250): larger packets are lost, not fragmented',
        hint: 'small requests work but large ones hang: recreate the overlay with --opt com.docker.network.driver.mtu=1250 (and the others alike), or give the underlay between these nodes 1500 bytes (VXLAN adds 50)',
      },
    })
    expect(pathMtuFinding('node-1', lowNode3)?.short).to.equal(false)
  })

  it('one short path between two nodes that reach the third in full: both named', () => {
    const one = probe([['node-1→node-2', 1400], ['node-2→node-1', 1400], ['node-1→node-3', 1450], ['node-3→node-1', 1450], ['node-2→node-3', 1450], ['node-3→node-2', 1450]])
    expect([pathMtuFinding('node-1', one)?.short, pathMtuFinding('node-2', one)?.short, pathMtuFinding('node-3', one)?.short]).to.deep.equal([true, true, false])
  })

  it('pairs where nothing crossed are the vxlan check\'s: no size claimed', () => {
    expect(pathMtuFinding('node-3', probe([['node-1→node-3', 0], ['node-3→node-1', 0]]))).to.equal(undefined)
  })

  it('mtuCheck: configured values fine but the measured path short: fail with the measured size (an underlay in between, e.g. VXLAN in VXLAN)', () => {
    const tasks = [taskOf('t3', 's', 'n3', {addresses: [{networkId: 'app-id', address: '10.0.1.5'}]})]
    const {context, reached} = world({tasks, extra: {pathMtu: lowNode3}})
    expect(mtuCheck(reached('node-3'), context)).to.deep.include({status: 'fail', detail: pathMtuFinding('node-3', lowNode3)!.check.detail})
    expect(mtuCheck(reached('node-1'), context)).to.deep.equal({name: 'mtu', status: 'pass', detail: "eth0 MTU 1500; overlays here fit with VXLAN's 50 bytes; pings of 1450 bytes (the MTU of app) crossed to and from its peers without fragmenting"})
  })

  it('mtuCheck: the underlay too small and measured: one fail with both', () => {
    const tasks = [taskOf('t3', 's', 'n3', {addresses: [{networkId: 'app-id', address: '10.0.1.5'}]})]
    const {context, reached} = world({tasks, facts: {'node-3': {mtus: new Map([['eth0', 1300]])}}, extra: {pathMtu: lowNode3}})
    const found = mtuCheck(reached('node-3'), context)
    expect(found.status).to.equal('fail')
    expect(found.detail).to.match(/^eth0 has MTU 1300, too small for app \(1450, the default\) plus 50 bytes of VXLAN; the path over app carries at most 1250 bytes/)
    expect(found.hint).to.equal('small requests work but large ones hang: recreate the overlay with --opt com.docker.network.driver.mtu=1250')
  })

  it('overlayMtu: the network\'s option, else 1450; parsePathMtu: the script\'s lines', () => {
    expect(overlayMtu({})).to.equal(1450)
    expect(overlayMtu({'com.docker.network.driver.mtu': '1410'})).to.equal(1410)
    expect(parsePathMtu('10.0.1.3 1450\n10.0.1.4 1250\n10.0.1.5 0\nping: bad\n')).to.deep.equal(new Map([['10.0.1.3', 1450], ['10.0.1.4', 1250], ['10.0.1.5', 0]]))
  })

  it('the script finds the largest size that crosses, per peer, with a stand-in ping (crosses up to 1250 to .4, nothing to .5)', function () {
    this.timeout(20_000)
    const dir = mkdtempSync(path.join(tmpdir(), 'swarmnet-mtu-'))
    try {
      // The stand-in answers a ping of -s S to IP when S + 28 is within IP's limit.
      writeFileSync(path.join(dir, 'ping'), '#!/bin/sh\nwhile [ $# -gt 1 ]; do case $1 in -s) s=$2; shift;; esac; shift; done\ncase $1 in 10.0.1.3) max=1450;; 10.0.1.4) max=1250;; *) exit 1;; esac\n[ $((s + 28)) -le $max ]\n')
      chmodSync(path.join(dir, 'ping'), 0o755)
      const output = execFileSync('sh', ['-c', PATH_MTU_SCRIPT, 'swarmnet-mtu', '1450', '10.0.1.3', '10.0.1.4', '10.0.1.5'], {encoding: 'utf8', env: {...process.env, PATH: `${dir}:${process.env.PATH}`}})
      expect(parsePathMtu(output)).to.deep.equal(new Map([['10.0.1.3', 1450], ['10.0.1.4', 1250], ['10.0.1.5', 0]]))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
