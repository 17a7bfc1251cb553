import {expect} from 'chai'

import type {DataPath, Reached} from '../../../../src/lib/doctor/checks.js'
import {encryptedCheck, espDrops, ipsecLacks} from '../../../../src/lib/doctor/swarm/encrypted.js'
import type {IpsecFacts, NodeFacts} from '../../../../src/lib/doctor/facts.js'
import {parseFilterTable} from '../../../../src/lib/doctor/iptables.js'
import {type SwarmContext, swarmChecks} from '../../../../src/lib/doctor/swarm-checks.js'
import type {NetworkSummary, SwarmNode, TaskSummary} from '../../../../src/lib/docker/engine.js'
import {node, taskOf} from '../../../helpers/fake-engine.js'

const NODES = [node('n1', 'node-1', '10.0.0.11', 'manager'), node('n2', 'node-2', '10.0.0.12'), node('n3', 'node-3', '10.0.0.13')]
const overlay = (id: string, name: string, encrypted: boolean): NetworkSummary => ({id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted, subnets: [], options: encrypted ? {encrypted: ''} : {}, labels: {}})
const SECURE = overlay('secure-id', 'secure', true)
const PLAIN_NET = overlay('plain-id', 'plain', false)
const ABLE: IpsecFacts = {esp: 'module', xfrm: 'yes', gcm: true, states: 4}
/** This machine's kernel: xfrm, but no ESP and no GCM (measured: the lab's). */
const NO_ESP: IpsecFacts = {esp: 'missing', xfrm: 'yes', gcm: false, states: 0}
const filter = (...rules: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n')

/** A task of the global service on `secure` on each node given. */
const tasksOn = (network: NetworkSummary, nodes: SwarmNode[]): TaskSummary[] => nodes.map((n, i) => taskOf(`t${i}`, 'svc', n.id, {addresses: [{networkId: network.id, address: `10.9.0.${i + 2}`}]}))

function reachedOf(n: SwarmNode, ipsec: IpsecFacts, firewall?: string): Reached {
  const facts: NodeFacts = {ipvs: 'module', kernel: '6.18.44', addresses: new Map([[n.address, 'eth0']]), mtus: new Map([['eth0', 1500]]), ufw: 'absent', firewalld: 'absent', probes: new Map(), ipsec, ...(firewall ? {iptables: firewall} : {})}
  return {node: n, via: `ssh://root@${n.address}:22`, facts, ...(firewall ? {table: parseFilterTable(firewall)} : {})}
}

/** Every ordered pair of nodes: answered unless named in `failed`. */
function pings(failed: string[] = [], nodes = NODES): DataPath & {network: string} {
  const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => `${a.hostname}→${b.hostname}`))
  return {network: 'secure', results: new Map(pairs.map((p) => [p, !failed.includes(p)]))}
}

const ALL_PAIRS = NODES.flatMap((a) => NODES.filter((b) => b !== a).map((b) => `${a.hostname}→${b.hostname}`))

function context(overrides: Partial<SwarmContext> = {}): SwarmContext {
  return {nodes: NODES, services: [], networks: [SECURE, PLAIN_NET], tasks: tasksOn(SECURE, NODES), reached: NODES.map((n) => reachedOf(n, ABLE)), encryptedProbes: [pings()], ...overrides}
}

describe('doctor: encrypted overlays', () => {
  it('what a kernel lacks, in words; nothing for one that has IPsec or is not known to lack it', () => {
    expect(ipsecLacks(NO_ESP)).to.deep.equal(['no ESP (esp4, CONFIG_INET_ESP)', 'no AES-GCM (CONFIG_CRYPTO_GCM)'])
    expect(ipsecLacks({esp: 'missing', xfrm: 'no'})).to.deep.equal(['no ESP (esp4, CONFIG_INET_ESP)', 'no xfrm netlink (CONFIG_XFRM_USER)'])
    expect(ipsecLacks(ABLE)).to.deep.equal([])
    expect(ipsecLacks({esp: 'loadable', xfrm: 'unknown'})).to.deep.equal([])
    expect(ipsecLacks({esp: 'unknown', xfrm: 'unknown'})).to.deep.equal([])
  })

  it('says nothing when no overlay is encrypted', () => {
    expect(encryptedCheck(context({networks: [PLAIN_NET]}))).to.deep.equal([])
  })

  it('an encrypted overlay whose pings all answer passes', () => {
    expect(encryptedCheck(context())).to.deep.equal([{name: 'encrypted', subject: 'network secure', status: 'pass', detail: '(--opt encrypted) 6 of 6 pings between its tasks on different nodes answered'}])
  })

  it('carrying nothing on kernels without ESP: fails naming the pings, the nodes and what their kernel lacks, with the fix', () => {
    const [finding] = encryptedCheck(context({reached: NODES.map((n) => reachedOf(n, NO_ESP)), encryptedProbes: [pings(ALL_PAIRS)]}))
    expect(finding).to.deep.equal({
      name: 'encrypted', subject: 'network secure', status: 'fail',
      detail: '(--opt encrypted) carries nothing: 0 of 6 pings between its tasks on different nodes answered; node-1, node-2, node-3: kernel 6.18.44 has no ESP (esp4, CONFIG_INET_ESP), no AES-GCM (CONFIG_CRYPTO_GCM)',
      hint: 'the kernel lacks IPsec: load the modules (modprobe esp4 xfrm_user) or run a kernel with CONFIG_INET_ESP and CONFIG_CRYPTO_GCM, or recreate the network without --opt encrypted',
    })
  })

  it('ESP dropped by a rule on node-2: the failed pairs, the rule and the node, with the firewall fix', () => {
    const firewall = filter('-A INPUT -p esp -j DROP')
    const reached = NODES.map((n) => reachedOf(n, ABLE, n.hostname === 'node-2' ? firewall : undefined))
    const failed = ['node-1→node-2', 'node-2→node-1', 'node-3→node-2', 'node-2→node-3']
    const [finding] = encryptedCheck(context({reached, encryptedProbes: [pings(failed)]}))
    expect(finding.status).to.equal('fail')
    expect(finding.detail).to.equal(`(--opt encrypted) 2 of 6 pings between its tasks on different nodes answered; failed: ${['node-1→node-2', 'node-2→node-1', 'node-2→node-3', 'node-3→node-2'].join(', ')}; INPUT on node-2 drops ESP from node-1, node-3 (-A INPUT -p esp -j DROP)`)
    expect(finding.hint).to.equal('allow IP protocol 50 (ESP) between the nodes, e.g. iptables -I INPUT -p esp -s PEER -j ACCEPT (and OUTPUT -p esp -d PEER)')
  })

  it('names ESP by number too, and OUTPUT rules; a rule for one peer names that peer only', () => {
    const firewall = filter('-A OUTPUT -d 10.0.0.13/32 -p 50 -j REJECT --reject-with icmp-port-unreachable')
    const reached = NODES.map((n) => reachedOf(n, ABLE, n.hostname === 'node-1' ? firewall : undefined))
    expect(espDrops(reached, NODES)).to.deep.equal(['OUTPUT on node-1 drops ESP to node-3 (-A OUTPUT -d 10.0.0.13/32 -p 50 -j REJECT --reject-with icmp-port-unreachable)'])
  })

  it('a firewall that drops only 4789/udp or TCP is not taken for an ESP drop', () => {
    const firewall = filter('-A INPUT -p udp -m udp --dport 4789 -j DROP', '-A INPUT -p tcp -j DROP')
    expect(espDrops(NODES.map((n) => reachedOf(n, ABLE, firewall)), NODES)).to.deep.equal([])
  })

  it('failed pings with nothing to explain them: says so, and where to look', () => {
    const [finding] = encryptedCheck(context({encryptedProbes: [pings(ALL_PAIRS)]}))
    expect(finding.detail).to.equal('(--opt encrypted) carries nothing: 0 of 6 pings between its tasks on different nodes answered')
    expect(finding.hint).to.match(/^no kernel lack or firewall rule here explains it: allow ESP \(IP protocol 50\) and 4789\/udp/)
  })

  it('a node whose kernel can but that holds no IPsec key is named', () => {
    const reached = NODES.map((n) => reachedOf(n, n.hostname === 'node-3' ? {...ABLE, states: 0} : ABLE))
    const [finding] = encryptedCheck(context({reached, encryptedProbes: [pings(['node-1→node-3', 'node-3→node-1', 'node-2→node-3', 'node-3→node-2'])]}))
    expect(finding.detail).to.match(/; node-3: no IPsec state \(ip xfrm state is empty\)$/)
  })

  it('not probed (tasks on one node) but the kernel lacks ESP: warns, as traffic between nodes would fail', () => {
    const [finding] = encryptedCheck(context({tasks: tasksOn(SECURE, [NODES[0]]), reached: NODES.map((n) => reachedOf(n, NO_ESP)), encryptedProbes: [{network: 'secure', results: new Map(), note: 'no running containers on two reached nodes to probe it with'}]}))
    expect(finding).to.deep.include({status: 'warn', detail: '(--opt encrypted) not probed (its tasks run on fewer than two nodes), but traffic between nodes would fail; node-1: kernel 6.18.44 has no ESP (esp4, CONFIG_INET_ESP), no AES-GCM (CONFIG_CRYPTO_GCM)'})
  })

  it('not probed and nothing known wrong: skipped, saying why', () => {
    const [finding] = encryptedCheck(context({tasks: [], encryptedProbes: []}))
    expect(finding).to.deep.equal({name: 'encrypted', subject: 'network secure', status: 'skip', detail: '(--opt encrypted) not probed: its tasks run on fewer than two nodes'})
  })

  it('runs as the swarm check named encrypted', () => {
    expect(swarmChecks(context(), ['encrypted']).map((f) => f.subject)).to.deep.equal(['network secure'])
  })
})
