import {expect} from 'chai'

import {type Context, type DataPath, type Reached, consistencyCheck, dataPathAddressCheck, firewallCheck, ingressCheck, ipvsCheck, mtuCheck, nodeState, portChecks, report, versionCheck, vxlanCheck} from '../../../src/lib/doctor/checks.js'
import type {NodeFacts} from '../../../src/lib/doctor/facts.js'
import {parseFilterTable} from '../../../src/lib/doctor/iptables.js'
import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../../../src/lib/docker/engine.js'
import {node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

const NODES = [node('n1', 'node-1', '10.0.0.11', 'manager'), node('n2', 'node-2', '10.0.0.12'), node('n3', 'node-3', '10.0.0.13')]
const APP: NetworkSummary = {id: 'app-id', name: 'app', driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}}
const NO_DATA_PATH: DataPath = {results: new Map(), note: 'no overlay has running containers on two reached nodes to test the data path with'}

/** A filter table whose only rules are `rules` ("-A INPUT -p udp ... -j DROP"), every policy ACCEPT. */
const filter = (...rules: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n')

/** A healthy node's facts: IPVS loaded, eth0 with MTU 1500, no ufw or firewalld, every TCP connect to its peers made. */
function factsOf(n: SwarmNode, overrides: Partial<NodeFacts> = {}): NodeFacts {
  return {ipvs: 'module', kernel: '6.1.0', addresses: new Map([[n.address, 'eth0']]), mtus: new Map([['eth0', 1500]]), ufw: 'absent', firewalld: 'absent', probes: probesOf(n), ...overrides}
}

/** The TCP connects a node made to its peers' 2377 and 7946: each made, but for the "address:port"s `refused`. */
function probesOf(n: SwarmNode, refused: string[] = []): Map<string, boolean> {
  return new Map(NODES.filter((p) => p !== n).flatMap((peer) => [2377, 7946].map((port): [string, boolean] => [`${peer.address}:${port}`, !refused.includes(`${peer.address}:${port}`)])))
}

interface World {
  /** Per hostname: facts that differ from a healthy node's. */
  facts?: Record<string, Partial<NodeFacts>>
  /** Per hostname: its iptables-save filter table. */
  firewalls?: Record<string, string>
  nodes?: SwarmNode[]
  services?: ServiceSummary[]
  networks?: NetworkSummary[]
  tasks?: TaskSummary[]
  dataPath?: DataPath
  views?: Context['views']
}

/** Every node reached over SSH, with the facts given; returns the context and a node's Reached by hostname. */
function world(given: World = {}): {context: Context; reached: (name: string) => Reached} {
  const nodes = given.nodes ?? NODES
  const reached = nodes.map((n): Reached => {
    const facts = factsOf(n, given.facts?.[n.hostname])
    const firewall = given.firewalls?.[n.hostname]
    return {node: n, via: `ssh://root@${n.address}:22`, facts: firewall ? {...facts, iptables: firewall} : facts, ...(firewall ? {table: parseFilterTable(firewall)} : {})}
  })
  const context: Context = {
    allNodes: nodes, managers: nodes.filter((n) => n.role === 'manager'), reached, services: given.services ?? [], networks: given.networks ?? [APP],
    tasks: given.tasks ?? [], dataPath: given.dataPath ?? NO_DATA_PATH, views: given.views ?? [],
  }
  return {context, reached: (name) => reached.find((r) => r.node.hostname === name)!}
}

describe('doctor: the checks', () => {
  describe('a node row', () => {
    it('a reached node gets every check, in order; a manager checks 2377 too', () => {
      const {context, reached} = world()
      const row = report(reached('node-1'), context)
      expect(row).to.deep.include({node: 'node-1', address: '10.0.0.11', role: 'manager', via: 'ssh://root@10.0.0.11:22'})
      expect(row.checks.map((c) => c.name)).to.deep.equal(['ssh', 'state', 'ipvs', 'port 2377/tcp', 'port 7946/tcp', 'port 7946/udp', 'vxlan 4789/udp', 'mtu', 'ingress', 'addresses', 'firewall', 'engine', 'consistency', 'fdb', 'routes', 'forward', 'tables', 'keepalive', 'offload'])
      expect(row.checks[0]).to.deep.equal({name: 'ssh', status: 'pass', detail: 'reached ssh://root@10.0.0.11:22'})
      expect(report(reached('node-2'), context).checks.map((c) => c.name)).not.to.include('port 2377/tcp')
    })

    it('a node SSH cannot reach fails ssh, says why and how to fix it, and still shows its state', () => {
      const {context} = world()
      const row = report({node: NODES[1], error: 'connect ECONNREFUSED 10.0.0.12:22'}, context)
      expect(row).to.deep.equal({node: 'node-2', address: '10.0.0.12', role: 'worker', checks: [
        {name: 'ssh', status: 'fail', detail: 'connect ECONNREFUSED 10.0.0.12:22', hint: 'the other checks need SSH to the node: check its address, sshd, and your SSH config or --ssh-config'},
        {name: 'state', status: 'pass', detail: 'ready, active'},
      ]})
    })
  })

  describe('state', () => {
    it('ready and active: pass', () => {
      expect(nodeState(NODES[1])).to.deep.equal({name: 'state', status: 'pass', detail: 'ready, active'})
    })

    it('down: fail, the manager cannot reach it', () => {
      expect(nodeState({...NODES[1], status: 'down'})).to.deep.equal({name: 'state', status: 'fail', detail: 'down', hint: 'the manager cannot reach this node: is dockerd running, and 2377/tcp open?'})
    })

    it('drained: warn, with the command that makes it active', () => {
      expect(nodeState({...NODES[1], availability: 'drain'})).to.deep.equal({name: 'state', status: 'warn', detail: 'ready, drain', hint: 'no new tasks are placed here (docker node update --availability active node-2)'})
    })
  })

  describe('ipvs', () => {
    it('loaded (in /proc or as a module): pass', () => {
      for (const ipvs of ['proc', 'module'] as const) expect(ipvsCheck(factsOf(NODES[0], {ipvs}))).to.deep.equal({name: 'ipvs', status: 'pass', detail: 'ip_vs loaded'})
    })

    it('loadable: warn, with the modprobe', () => {
      expect(ipvsCheck(factsOf(NODES[0], {ipvs: 'loadable'}))).to.deep.equal({name: 'ipvs', status: 'warn', detail: 'ip_vs not loaded, but loadable', hint: 'modprobe ip_vs ip_vs_rr (dockerd loads it when needed)'})
    })

    it('missing: fail, naming the kernel and what works without IPVS', () => {
      expect(ipvsCheck(factsOf(NODES[0], {ipvs: 'missing', kernel: '6.6.87-microsoft'}))).to.deep.equal({
        name: 'ipvs', status: 'fail', detail: 'this kernel (6.6.87-microsoft) has no IPVS',
        hint: 'service VIPs and the ingress routing mesh cannot work on this node: use --endpoint-mode dnsrr (or tasks.<service>) and publish with mode=host, or run a kernel with CONFIG_IP_VS',
      })
    })
  })

  describe('ports', () => {
    it('every peer connects and no rule drops: pass', () => {
      const {context, reached} = world()
      expect(portChecks(reached('node-1'), context)).to.deep.equal([
        {name: 'port 2377/tcp', status: 'pass', detail: 'reachable from the other nodes'},
        {name: 'port 7946/tcp', status: 'pass', detail: 'reachable from the other nodes'},
        {name: 'port 7946/udp', status: 'pass', detail: 'no firewall rule drops it'},
      ])
    })

    it('a peer that cannot connect: fail, naming the peer and what the port is for', () => {
      const refused = new Map([['10.0.0.11:2377', false], ['10.0.0.11:7946', false], ['10.0.0.13:7946', true]])
      const {context, reached} = world({facts: {'node-2': {probes: refused}}})
      const [management, gossip] = portChecks(reached('node-1'), context)
      expect(management).to.deep.equal({name: 'port 2377/tcp', status: 'fail', detail: 'node-2 cannot connect', hint: 'open 2377/tcp between the nodes (cluster management)'})
      expect(gossip).to.deep.equal({name: 'port 7946/tcp', status: 'fail', detail: 'node-2 cannot connect', hint: "open 7946/tcp between the nodes (gossip: without it nodes lose each other's services)"})
    })

    it('a peer whose own firewall stops it sending is not this node\'s failure', () => {
      const refused = new Map([['10.0.0.11:2377', true], ['10.0.0.11:7946', false], ['10.0.0.13:7946', false]])
      const {context, reached} = world({facts: {'node-2': {probes: refused}}, firewalls: {'node-2': filter('-A OUTPUT -p tcp -m tcp --dport 7946 -j DROP')}})
      expect(portChecks(reached('node-1'), context)[1]).to.deep.include({name: 'port 7946/tcp', status: 'pass'})
      expect(portChecks(reached('node-2'), context)[0]).to.deep.include({name: 'port 7946/tcp', status: 'fail', detail: 'OUTPUT drops 7946/tcp to node-1, node-3 (-A OUTPUT -p tcp -m tcp --dport 7946 -j DROP)'})
    })

    it('a rule on the node that drops the port: fail, one line per rule with the peers it drops', () => {
      const {context, reached} = world({firewalls: {'node-3': filter('-A INPUT -s 10.0.0.11/32 -p udp -m udp --dport 7946 -j DROP')}})
      const gossip = portChecks(reached('node-3'), context).find((c) => c.name === 'port 7946/udp')
      expect(gossip).to.deep.equal({name: 'port 7946/udp', status: 'fail', detail: 'INPUT drops 7946/udp from node-1 (-A INPUT -s 10.0.0.11/32 -p udp -m udp --dport 7946 -j DROP)', hint: "open 7946/udp between the nodes (gossip: without it nodes lose each other's services)"})
    })
  })

  describe('vxlan', () => {
    const pings = (failing: string[] = []) => ({network: 'app', results: new Map(['node-1→node-2', 'node-2→node-1', 'node-1→node-3', 'node-3→node-1', 'node-2→node-3', 'node-3→node-2'].map((pair) => [pair, !failing.includes(pair)]))})

    it('no rule drops it and the overlay pings go through: pass, with how many', () => {
      const {context, reached} = world({dataPath: pings()})
      expect(vxlanCheck(reached('node-1'), context)).to.deep.equal({name: 'vxlan 4789/udp', status: 'pass', detail: "no firewall rule drops it; overlay app reaches this node's peers (2 pings each way)"})
    })

    it('no containers to ping with: pass, saying so', () => {
      const {context, reached} = world()
      expect(vxlanCheck(reached('node-1'), context)).to.deep.equal({name: 'vxlan 4789/udp', status: 'pass', detail: `no firewall rule drops it; ${NO_DATA_PATH.note}`})
    })

    it('a rule drops 4789/udp: fail, allow it (and ESP)', () => {
      const {context, reached} = world({firewalls: {'node-2': filter('-A INPUT -p udp -m udp --dport 4789 -j DROP')}})
      expect(vxlanCheck(reached('node-2'), context)).to.deep.equal({
        name: 'vxlan 4789/udp', status: 'fail', detail: 'INPUT drops 4789/udp from node-1, node-3 (-A INPUT -p udp -m udp --dport 4789 -j DROP)',
        hint: "allow 4789/udp between the nodes (VXLAN carries every overlay's traffic); with --opt encrypted, IP protocol 50 (ESP) too",
      })
    })

    it('every ping to and from the node fails while the others get through: that node is cut off, though no rule here drops it', () => {
      const {context, reached} = world({dataPath: pings(['node-1→node-3', 'node-3→node-1', 'node-2→node-3', 'node-3→node-2'])})
      expect(vxlanCheck(reached('node-3'), context)).to.deep.equal({
        name: 'vxlan 4789/udp', status: 'fail', detail: 'the overlay app carries no traffic to or from this node (node-1→node-3, node-3→node-1, node-2→node-3, node-3→node-2 failed)',
        hint: 'no rule here drops 4789/udp: check the firewalls between the nodes, and 7946 (overlay peers find each other through the gossip)',
      })
    })

    it('some pings fail while the others get through: fail, naming them', () => {
      const {context, reached} = world({dataPath: pings(['node-1→node-3'])})
      expect(vxlanCheck(reached('node-1'), context)).to.deep.include({status: 'fail', detail: 'overlay pings failed: node-1→node-3'})
    })
  })

  describe('mtu', () => {
    const onApp = [taskOf('t1', 's1', 'n1', {addresses: [{networkId: 'app-id', address: '10.0.1.5'}]})]

    it('the overlays here fit in the underlay with VXLAN\'s 50 bytes: pass', () => {
      const {context, reached} = world({tasks: onApp})
      expect(mtuCheck(reached('node-1'), context)).to.deep.equal({name: 'mtu', status: 'pass', detail: "eth0 MTU 1500; overlays here fit with VXLAN's 50 bytes"})
    })

    it('an underlay too small for an overlay here: fail, with the MTU to recreate it with', () => {
      const {context, reached} = world({tasks: onApp, facts: {'node-1': {mtus: new Map([['eth0', 1450]])}}})
      expect(mtuCheck(reached('node-1'), context)).to.deep.equal({
        name: 'mtu', status: 'fail', detail: 'eth0 has MTU 1450, too small for app (1450, the default) plus 50 bytes of VXLAN',
        hint: 'small requests work but large ones hang: recreate the overlay with --opt com.docker.network.driver.mtu=1400',
      })
    })

    it('an overlay with an MTU of its own is checked with it', () => {
      const {context, reached} = world({tasks: onApp, networks: [{...APP, options: {'com.docker.network.driver.mtu': '1400'}}], facts: {'node-1': {mtus: new Map([['eth0', 1450]])}}})
      expect(mtuCheck(reached('node-1'), context)).to.deep.include({status: 'pass'})
    })

    it('no interface holds the node\'s address: skipped', () => {
      const {context, reached} = world({facts: {'node-1': {addresses: new Map([['192.168.1.5', 'eth1']])}}})
      expect(mtuCheck(reached('node-1'), context)).to.deep.equal({name: 'mtu', status: 'skip', detail: 'no interface holds 10.0.0.11 here'})
    })
  })

  describe('ingress', () => {
    const published = [serviceOf('s1', 'go-demo', {ports: [{protocol: 'tcp', targetPort: 8080, publishedPort: 8080, publishMode: 'ingress'}]})]
    const sbox = {mangle: '-A PREROUTING -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x100/0xffffffff', ipvs: 'FWM  00000100 rr'}
    const nat = '*nat\n:DOCKER-INGRESS - [0:0]\nCOMMIT\n'

    it('no port published through the mesh: skipped', () => {
      const {context, reached} = world()
      expect(ingressCheck(reached('node-1'), context)).to.deep.equal({name: 'ingress', status: 'skip', detail: 'no port is published through the routing mesh'})
    })

    it('the chain, the marks and the IPVS service in place: pass', () => {
      const {context, reached} = world({services: published, facts: {'node-1': {iptables: nat, ingressSbox: sbox}}})
      expect(ingressCheck(reached('node-1'), context)).to.deep.equal({name: 'ingress', status: 'pass', detail: 'DOCKER-INGRESS, marks and IPVS in place for 8080'})
    })

    it('plumbing missing: fail, naming each piece, rebuild it', () => {
      const {context, reached} = world({services: published, facts: {'node-1': {iptables: '*nat\nCOMMIT\n', ingressSbox: {mangle: '', ipvs: ''}}}})
      expect(ingressCheck(reached('node-1'), context)).to.deep.equal({
        name: 'ingress', status: 'fail', detail: 'no DOCKER-INGRESS chain in the nat table; no MARK rule for port 8080 in ingress_sbox; the IPVS table has no fwmark service',
        hint: 'restart dockerd on this node to rebuild the ingress plumbing, or recreate the ingress network',
      })
      const {context: noSbox, reached: reachedNoSbox} = world({services: published})
      expect(ingressCheck(reachedNoSbox('node-1'), noSbox)).to.deep.include({status: 'fail', detail: 'no ingress_sbox namespace'})
    })

    it('no IPVS: fail, publish with mode=host meanwhile', () => {
      const {context, reached} = world({services: published, facts: {'node-1': {iptables: nat, ingressSbox: sbox, ipvs: 'missing'}}})
      expect(ingressCheck(reached('node-1'), context)).to.deep.equal({name: 'ingress', status: 'fail', detail: 'no IPVS table: the marks lead nowhere', hint: 'the mesh needs IPVS on every node; publish with mode=host meanwhile'})
    })
  })

  describe('addresses', () => {
    const views = (peers: string[]) => [{node: 'node-1', network: 'app', peers, missing: [], stale: []}]

    it('advertises its own address, the one its overlays use: pass', () => {
      const {context, reached} = world({views: views(['10.0.0.11', '10.0.0.12'])})
      expect(dataPathAddressCheck(reached('node-1'), context)).to.deep.equal({name: 'addresses', status: 'pass', detail: 'advertises 10.0.0.11, which is its own and the one its overlays use'})
      const {context: noViews, reached: reachedNoViews} = world()
      expect(dataPathAddressCheck(reachedNoViews('node-1'), noViews)).to.deep.equal({name: 'addresses', status: 'pass', detail: 'advertises 10.0.0.11, which is its own'})
    })

    it('an advertise address the node does not have: fail, rejoin', () => {
      const {context, reached} = world({facts: {'node-1': {addresses: new Map([['192.168.1.5', 'eth0']])}}})
      expect(dataPathAddressCheck(reached('node-1'), context)).to.deep.equal({name: 'addresses', status: 'fail', detail: 'the swarm knows this node as 10.0.0.11, but it has no such address (192.168.1.5)', hint: 'rejoin with --advertise-addr set to an address of this node'})
    })

    it('overlays that know it by another of its addresses: fail, the data-path address (moby/moby#37319)', () => {
      const {context, reached} = world({views: views(['192.168.1.5', '10.0.0.12']), facts: {'node-1': {addresses: new Map([['10.0.0.11', 'eth0'], ['192.168.1.5', 'eth1']])}}})
      expect(dataPathAddressCheck(reached('node-1'), context)).to.deep.equal({
        name: 'addresses', status: 'fail', detail: 'its overlays know it as 192.168.1.5, not its advertise address 10.0.0.11',
        hint: 'give --data-path-addr the advertise address (or leave it unset) when the node joins (moby/moby#37319)',
      })
    })
  })

  describe('firewall', () => {
    it('no ufw or firewalld: pass', () => {
      expect(firewallCheck(factsOf(NODES[0]))).to.deep.equal({name: 'firewall', status: 'pass', detail: 'no ufw or firewalld; iptables rules checked above'})
    })

    it('ufw active or firewalld running: warn, allow the swarm ports in it', () => {
      expect(firewallCheck(factsOf(NODES[0], {ufw: 'Status: active\n', firewalld: 'running\n'}))).to.deep.equal({name: 'firewall', status: 'warn', detail: 'ufw is active, firewalld is running; its rules are checked above', hint: 'allow 2377/tcp, 7946/tcp+udp and 4789/udp between the nodes in it'})
    })

    it('iptables unreadable: warn, doctor needs root or sudo -n', () => {
      expect(firewallCheck(factsOf(NODES[0], {iptablesError: 'sudo: a password is required'}))).to.deep.equal({name: 'firewall', status: 'warn', detail: 'cannot read iptables (sudo: a password is required)', hint: 'doctor reads the rules as root, or with sudo -n'})
    })
  })

  describe('engine', () => {
    it('one version everywhere: pass', () => {
      expect(versionCheck(NODES[0], NODES)).to.deep.equal({name: 'engine', status: 'pass', detail: '20.10.24, like every node'})
    })

    it('mixed versions: the common one passes, the odd one warns', () => {
      const nodes = [NODES[0], NODES[1], {...NODES[2], engineVersion: '27.3.1'}]
      expect(versionCheck(nodes[0], nodes)).to.deep.equal({name: 'engine', status: 'pass', detail: '20.10.24'})
      expect(versionCheck(nodes[2], nodes)).to.deep.equal({name: 'engine', status: 'warn', detail: '27.3.1, while most nodes run 20.10.24', hint: 'mixed engine versions can disagree on overlay and mesh behaviour; upgrade to one version'})
    })
  })

  /** Each node's view as given; `refused` lists the "address:port"s its peers could not connect to. */
  const gossip = (views: Context['views'], refused: string[] = []) => world({views, facts: Object.fromEntries(NODES.map((n) => [n.hostname, {probes: probesOf(n, refused)}]))})
  const task = (name: string, ip: string, on: string) => ({task: name, ip, node: on})
  const view = (on: string, missing: ReturnType<typeof task>[] = [], stale: string[] = []) => ({node: on, network: 'app', peers: [], missing, stale})
  const NODE3_BLOCKED = ['10.0.0.13:7946'] // node-1 and node-2 cannot connect to node-3's 7946
  const CUT_OFF = 'this node is cut off from the gossip: its 7946 checks fail (above); open 7946/tcp+udp to and from it'

  describe('consistency', () => {
    it('every view matches the tasks: pass', () => {
      const {context, reached} = gossip([view('node-1'), view('node-2'), view('node-3')])
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
        const {context, reached} = gossip(views, NODE3_BLOCKED)
        expect(consistencyCheck(reached('node-3'), context)).to.deep.include({status: 'fail', hint: CUT_OFF})
        for (const other of ['node-1', 'node-2']) {
          const check = consistencyCheck(reached(other), context)
          if (check.status !== 'pass') expect(check, other).to.deep.include({status: 'warn', hint: 'node-3 is cut off from the gossip: 7946 fails there (see its row)'})
        }
      })
    }

    it('the detail says what the view lacks and holds that it should not', () => {
      const {context, reached} = gossip(stages[4][1], NODE3_BLOCKED)
      expect(consistencyCheck(reached('node-3'), context).detail).to.equal('missing go-demo.4 10.0.1.9 on node-1 (app); stale 10.0.1.6 (app)')
      expect(consistencyCheck(reached('node-1'), context)).to.deep.equal({name: 'consistency', status: 'warn', detail: 'missing go-demo.3 10.0.1.8 on node-3 (app)', hint: 'node-3 is cut off from the gossip: 7946 fails there (see its row)'})
    })

    it('with no port check failing, the views are all there is: the node whose tasks one view lacks is named as probably cut off', () => {
      const {context, reached} = gossip([view('node-1'), view('node-2'), view('node-3', [task('go-demo.4', '10.0.1.9', 'node-1')])])
      expect(consistencyCheck(reached('node-3'), context)).to.deep.include({status: 'warn', hint: "it lacks only node-1's tasks: node-1 is probably the node cut off from the gossip (7946)"})
    })

    it('with no port check failing, a node whose tasks every other view lacks is cut off', () => {
      const views = [view('node-1', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-2', [task('go-demo.3', '10.0.1.8', 'node-3')]), view('node-3')]
      const {context, reached} = gossip(views)
      expect(consistencyCheck(reached('node-3'), context)).to.deep.equal({name: 'consistency', status: 'fail', detail: "the other nodes do not see this node's tasks", hint: 'this node is cut off from the gossip: open 7946/tcp+udp to and from it'})
    })

    it('a node with no task on an overlay: skipped', () => {
      const {context, reached} = gossip([view('node-1')])
      expect(consistencyCheck(reached('node-2'), context)).to.deep.include({status: 'skip'})
    })
  })
})
