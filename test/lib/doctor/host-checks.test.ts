import {expect} from 'chai'

import type {Reached} from '../../../src/lib/doctor/checks.js'
import type {NodeFacts} from '../../../src/lib/doctor/facts.js'
import {forwardCheck, keepaliveCheck, nextFromPool, offloadCheck, publishedPorts, routesCheck, tablesCheck} from '../../../src/lib/doctor/host-checks.js'
import {type HostFacts, parseHost} from '../../../src/lib/doctor/host.js'
import {parseFilterTable} from '../../../src/lib/doctor/iptables.js'
import type {NetworkSummary, SwarmNode} from '../../../src/lib/docker/engine.js'
import {node} from '../../helpers/fake-engine.js'
import {recording} from './host-recordings.js'

// Recordings in test/fixtures/host/ (its README says where each comes from).
const LAB = parseHost(recording('lab-node-2.txt'))
const VMWARE = parseHost(recording('vmware-host.txt'))

const NODES = [node('n1', 'node-1', '10.213.0.11', 'manager'), node('n2', 'node-2', '10.213.0.12'), node('n3', 'node-3', '10.213.0.13')]
const POOL = {defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789}
const overlay = (name: string, subnet: string): NetworkSummary => ({id: `${name}-id`, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: name === 'ingress', encrypted: false, subnets: [{subnet}], options: {}, labels: {}})
const NETWORKS = [overlay('ingress', '10.0.0.0/24'), overlay('app', '10.0.1.0/24')]

function reachedWith(host: HostFacts, extra: Partial<NodeFacts> = {}, n: SwarmNode = NODES[1]): Reached {
  const facts: NodeFacts = {ipvs: 'module', kernel: '6.18', addresses: new Map([[n.address, 'eth0']]), mtus: new Map([['eth0', 1500]]), ufw: 'absent', firewalld: 'absent', probes: new Map(), host, ...extra}
  return {node: n, facts, ...(facts.iptables ? {table: parseFilterTable(facts.iptables)} : {})}
}

/** The lab node with extra lines of `ip -o -4 route show table all`. */
const withRoutes = (...lines: string[]) => parseHost(recording('lab-node-2.txt').replace('## conntrack', `${lines.join('\n')}\n## conntrack`))

describe('doctor: the host checks', () => {
  describe('routes', () => {
    it('the healthy lab: its underlay inside 10.0.0.0/8 is clear of the pool\'s next subnets; the bridge\'s own route is no conflict', () => {
      expect(routesCheck(reachedWith(LAB), {networks: NETWORKS, swarm: POOL})).to.deep.equal({name: 'routes', status: 'pass', detail: 'no route overlaps docker_gwbridge (172.17.0.0/16), an overlay or the next of the address pool'})
    })

    it('a route into docker_gwbridge\'s range (the lab test\'s fault): fail, with the route and the fix', () => {
      const check = routesCheck(reachedWith(withRoutes('172.17.5.0/24 via 10.213.0.1 dev eth0')), {networks: NETWORKS, swarm: POOL})
      expect(check).to.deep.include({status: 'fail', detail: 'route 172.17.5.0/24 via 10.213.0.1 dev eth0 overlaps docker_gwbridge (172.17.0.0/16)'})
      expect(check.hint).to.include('default-address-pools').and.include('--subnet <free range>')
    })

    it('a route, even a blackhole or one in another table, over an overlay\'s subnet: fail naming the overlay', () => {
      const check = routesCheck(reachedWith(withRoutes('10.0.0.0/16 via 10.213.0.1 dev eth0 table 100', 'blackhole 10.0.1.128/25')), {networks: NETWORKS, swarm: POOL})
      expect(check.status).to.equal('fail')
      // The pool's next subnets follow: these routes overlap them too.
      expect(check.detail.split('; ').slice(0, 3).join('; ')).to.equal('route 10.0.0.0/16 via 10.213.0.1 dev eth0 (table 100) overlaps overlay ingress (10.0.0.0/24); route 10.0.0.0/16 via 10.213.0.1 dev eth0 (table 100) overlaps overlay app (10.0.1.0/24); blackhole route 10.0.1.128/25 overlaps overlay app (10.0.1.0/24)')
      expect(check.hint).to.include('recreate app with a --subnet clear of 10.0.1.128/25')
    })

    it('a route over the pool\'s low end, where the next overlays come from: warn, with --default-addr-pool', () => {
      const check = routesCheck(reachedWith(withRoutes('10.0.200.0/24 via 10.213.0.1 dev eth0')), {networks: NETWORKS, swarm: POOL})
      expect(check).to.deep.include({status: 'warn', detail: 'route 10.0.200.0/24 via 10.213.0.1 dev eth0 overlaps 10.0.0.0/16, where the swarm\'s address pool 10.0.0.0/8 (/24 each) gives the next overlays their subnets'})
      expect(check.hint).to.include('--default-addr-pool')
    })

    it('nextFromPool: the first 256 subnets of the pool, or the whole pool when smaller', () => {
      expect(nextFromPool('10.0.0.0/8', 24)).to.equal('10.0.0.0/16')
      expect(nextFromPool('10.20.0.0/16', 24)).to.equal('10.20.0.0/16')
      expect(nextFromPool('10.20.0.0/20', 26)).to.equal('10.20.0.0/20')
    })

    it('Docker\'s own routes (docker0, br-*) and the default route are never conflicts; no host section: skip', () => {
      const host = withRoutes('default via 10.213.0.1 dev eth0', '10.0.1.0/24 dev br-0123abcd proto kernel scope link src 10.0.1.1')
      expect(routesCheck(reachedWith(host), {networks: NETWORKS, swarm: POOL}).status).to.equal('pass')
      expect(routesCheck({node: NODES[1]}, {networks: NETWORKS}).status).to.equal('skip')
    })

    it('a VMware host (recorded): a static route into its gwbridge, a blackhole in the first overlay\'s range', () => {
      const vm = node('v1', 'vm-1', '10.20.0.15')
      const check = routesCheck(reachedWith(VMWARE, {addresses: new Map([[vm.address, 'ens192']])}, vm), {networks: NETWORKS, swarm: POOL})
      expect(check.status).to.equal('fail')
      expect(check.detail).to.include('route 172.18.32.0/20 via 10.20.0.1 dev ens192 overlaps docker_gwbridge (172.18.0.0/16)').and.include('blackhole route 10.0.5.0/24 overlaps 10.0.0.0/16, where the swarm\'s address pool')
    })
  })

  describe('forward', () => {
    const DOCKER_USER = recording('forward-docker-user.txt')
    const healthy = DOCKER_USER.replace('-A DOCKER-USER -p tcp -m tcp --dport 80 -j DROP\n', '')

    it('publishedPorts: host-mode DNATs to the container, mesh DNATs to ingress_sbox', () => {
      expect(publishedPorts(DOCKER_USER)).to.deep.equal([{protocol: 'tcp', port: 443, to: '172.17.0.3', toPort: 443, mesh: false}, {protocol: 'tcp', port: 80, to: '172.17.0.3', toPort: 80, mesh: false}])
      expect(publishedPorts(recording('forward-mesh.txt'))).to.deep.equal([{protocol: 'tcp', port: 8080, to: '172.18.0.2', toPort: 8080, mesh: true}])
    })

    it('the lab\'s host-mode ports with Docker\'s rules: pass', () => {
      expect(forwardCheck(reachedWith(LAB, {iptables: healthy}), {allNodes: NODES})).to.deep.equal({name: 'forward', status: 'pass', detail: 'FORWARD and DOCKER-USER let in the ports published here (443/tcp, 80/tcp)'})
    })

    it('a DROP in DOCKER-USER for a published port (recorded on the lab): fail with the rule, the peers and the iptables -D that removes it', () => {
      const check = forwardCheck(reachedWith(LAB, {iptables: DOCKER_USER}), {allNodes: NODES})
      expect(check).to.deep.include({status: 'fail', detail: 'FORWARD drops tcp 80 (published, to 172.17.0.3:80) from node-1, node-3 (-A DOCKER-USER -p tcp -m tcp --dport 80 -j DROP)'})
      expect(check.hint).to.include('iptables -D DOCKER-USER -p tcp -m tcp --dport 80 -j DROP').and.include('after DNAT')
    })

    it('Docker\'s ACCEPT gone (rules flushed): the FORWARD policy drops it, and the hint restarts dockerd', () => {
      const flushed = healthy.replace(/^-A DOCKER -d .*\n/gm, '')
      const check = forwardCheck(reachedWith(LAB, {iptables: flushed}), {allNodes: NODES})
      expect(check.detail).to.include('(policy DROP of FORWARD)')
      expect(check.hint).to.include('restart dockerd')
    })

    it('the mesh (recorded): DOCKER-USER dropping one peer\'s traffic names that peer only', () => {
      const n1 = NODES[0]
      const check = forwardCheck(reachedWith(LAB, {iptables: recording('forward-mesh.txt')}, n1), {allNodes: NODES})
      expect(check.detail).to.equal('FORWARD drops tcp 8080 (published through the mesh, to 172.18.0.2:8080) from node-3 (-A DOCKER-USER -s 10.213.0.13/32 -j DROP)')
    })

    it('the container is reached by its most specific route: a wider VPN route listed first does not change the interface', () => {
      const host = parseHost(recording('lab-node-2.txt').replace('## routes\n', '## routes\n172.16.0.0/12 dev tun0 scope link\n'))
      expect(forwardCheck(reachedWith(host, {iptables: healthy}), {allNodes: NODES}).status).to.equal('pass')
    })

    it('nothing published, or no iptables: skip', () => {
      expect(forwardCheck(reachedWith(LAB, {iptables: '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n*nat\nCOMMIT\n'}), {allNodes: NODES}).status).to.equal('skip')
      expect(forwardCheck(reachedWith(LAB), {allNodes: NODES}).status).to.equal('skip')
    })
  })

  describe('tables', () => {
    it('the lab: conntrack far from full, no gc_thresh in its namespace, a clean log: pass', () => {
      expect(tablesCheck(LAB)).to.deep.equal({name: 'tables', status: 'pass', detail: 'conntrack 53 of 262144 entries (0%)'})
    })

    it('from 80%: warn, with the sysctl that doubles the limit', () => {
      const check = tablesCheck({...LAB, conntrack: {count: 220_000, max: 262_144}})
      expect(check).to.deep.include({status: 'warn', detail: 'conntrack 220000 of 262144 entries (84%)', hint: 'raise it: sysctl -w net.netfilter.nf_conntrack_max=524288 (and in /etc/sysctl.d/ to keep it)'})
    })

    it('a VMware host (recorded): conntrack nearly full, neighbours near gc_thresh3, "table full" 400 s ago and an overflow a day ago', () => {
      const check = tablesCheck(VMWARE)
      expect(check.status).to.equal('fail')
      expect(check.detail).to.equal('conntrack 262000 of 262144 entries (100%); neighbour table 1010 entries, gc_thresh3 1024; the kernel log says "neighbour: arp_cache: neighbor table overflow!" 85200 s ago; the kernel log says "nf_conntrack: nf_conntrack: table full, dropping packet" 400 s ago')
      expect(check.hint).to.include('gc_thresh3=4096').and.include('nf_conntrack_max=524288')
    })

    it('only an old overflow in the log: warn', () => {
      expect(tablesCheck({...LAB, overflows: [{at: 10, line: '[   10.000000] neighbour: arp_cache: neighbor table overflow!'}]}).status).to.equal('warn')
    })

    it('full: fail; nothing readable: skip', () => {
      expect(tablesCheck({...LAB, conntrack: {count: 100, max: 100}}).status).to.equal('fail')
      expect(tablesCheck({...LAB, conntrack: undefined}).status).to.equal('skip')
      expect(tablesCheck(undefined).status).to.equal('skip')
    })
  })

  describe('keepalive', () => {
    it('the lab has no ipvsadm: skip', () => {
      expect(keepaliveCheck(LAB).status).to.equal('skip')
    })

    it('recorded: IPVS\'s 900 s against the default 7200 s keepalive: warn naming the namespaces, with a --sysctl below it', () => {
      const check = keepaliveCheck(VMWARE)
      expect(check).to.deep.include({status: 'warn', detail: 'IPVS drops TCP connections idle for 900 s (ingress_sbox, lb_x1y2z3), before the first keepalive at 7200 s'})
      expect(check.hint).to.include('--sysctl net.ipv4.tcp_keepalive_time=600')
    })

    it('keepalive below the timeout: pass', () => {
      expect(keepaliveCheck({...VMWARE, keepalive: 600}).status).to.equal('pass')
    })
  })

  describe('offload', () => {
    const vm = node('v1', 'vm-1', '10.20.0.15')
    const onVm = (host: HostFacts) => reachedWith(host, {addresses: new Map([[vm.address, 'ens192']])}, vm)

    it('the lab\'s veth underlay has no driver: skip', () => {
      expect(offloadCheck(reachedWith(LAB)).status).to.equal('skip')
    })

    it('recorded: a vmxnet3 underlay with checksum offload on: warn, with the ethtool that turns it off', () => {
      expect(offloadCheck(onVm(VMWARE))).to.deep.include({status: 'warn', detail: 'ens192 is a vmxnet3 NIC with tx-checksum-ip-generic, tx-checksumming on: VXLAN packets can leave with bad checksums'})
      expect(offloadCheck(onVm(VMWARE)).hint).to.include('ethtool -K ens192 tx-checksum-ip-generic off')
    })

    it('offload off, or another driver: pass', () => {
      expect(offloadCheck(onVm({...VMWARE, nics: [{iface: 'ens192', driver: 'vmxnet3', features: {'tx-checksumming': 'off', 'tx-checksum-ip-generic': 'off'}}]})).status).to.equal('pass')
      expect(offloadCheck(onVm({...VMWARE, nics: [{iface: 'ens192', driver: 'virtio_net', features: {}}]}))).to.deep.include({status: 'pass', detail: 'ens192: virtio_net'})
    })
  })
})
