import {expect} from 'chai'

import {parseFacts} from '../../../src/lib/doctor/facts.js'
import {parseHost, parseRoute} from '../../../src/lib/doctor/host.js'
import {recording} from './host-recordings.js'

// Recordings. LAB: the host section as the lab's node-2 printed it (2026-12-07, kernel 6.18, in its
// network namespace: no gc_thresh there, no ipvsadm, no NIC with a driver). The others are what the
// tools print on real hosts, their format taken from the tools' sources: the kernel's
// nf_conntrack_core.c ("nf_conntrack: table full, dropping packet", printed under the
// "nf_conntrack: " prefix) and neighbour.c ("%s: neighbor table overflow!", tbl->id arp_cache);
// ipvsadm.c's print_timeout ("Timeout (tcp tcpfin udp): %d %d %d"); ethtool -k's feature list, with
// a vmxnet3 NIC's sub-features indented under tx-checksumming (VMware guest, moby#41775's reports).
const LAB = recording('lab-node-2.txt')
const VMWARE_HOST = recording('vmware-host.txt')

describe('doctor: the host section', () => {
  it('the lab node: its routes (the kernel\'s local ones left out), conntrack, no gc_thresh, nothing else', () => {
    const host = parseHost(LAB)
    expect(host.routes.map((r) => r.destination)).to.deep.equal(['10.213.0.0/24', '172.17.0.0/16'])
    expect(host).to.deep.include({conntrack: {count: 53, max: 262144}, neighbours: {count: 4}, uptime: 4000.78, overflows: [], keepalive: 7200, ipvsTimeouts: [], nics: []})
  })

  it('a VMware host: typed, host and other-table routes, full tables, stamped log lines, IPVS timeouts, the NIC\'s offloads', () => {
    const host = parseHost(VMWARE_HOST)
    expect(host.routes.map((r) => [r.type, r.destination, r.dev, r.table])).to.deep.equal([
      ['unicast', '10.20.0.0/24', 'ens192', undefined],
      ['unicast', '172.18.0.0/16', 'docker_gwbridge', undefined],
      ['unicast', '172.18.32.0/20', 'ens192', undefined],
      ['blackhole', '10.0.5.0/24', undefined, undefined],
      ['unicast', '10.0.0.7/32', 'ens192', '100'],
    ])
    expect(host.neighbours).to.deep.equal({count: 1010, thresholds: [128, 512, 1024]})
    expect(host.overflows.map((o) => o.at)).to.deep.equal([1200.123456, 86000.000001])
    expect(host.ipvsTimeouts).to.deep.equal([{namespace: 'ingress_sbox', tcp: 900, tcpfin: 120, udp: 300}, {namespace: 'lb_x1y2z3', tcp: 900, tcpfin: 120, udp: 300}])
    expect(host.nics).to.deep.equal([{iface: 'ens192', driver: 'vmxnet3', features: {'tx-checksumming': 'on', 'tx-checksum-ip-generic': 'on', 'tx-udp_tnl-segmentation': 'on', 'tx-udp_tnl-csum-segmentation': 'on'}}])
  })

  it('parseRoute: the default route and the kernel\'s own kinds are not routes to compare', () => {
    expect(parseRoute('default via 10.0.0.1 dev eth0')).to.equal(undefined)
    expect(parseRoute('broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.2')).to.equal(undefined)
    expect(parseRoute('unreachable 192.168.0.0/16')).to.deep.include({type: 'unreachable', destination: '192.168.0.0/16'})
  })

  it('dmesg refused and nothing readable: empty parts, no numbers made up', () => {
    expect(parseHost('## routes\n## conntrack\n\n## neigh\n0 \n## kernlog\n## keepalive\n## ipvs-timeout\n## nics\n')).to.deep.equal({routes: [], neighbours: {count: 0}, overflows: [], ipvsTimeouts: [], nics: []})
  })

  it('parseFacts carries the section as host; a script without it leaves host out', () => {
    expect(parseFacts(`### kernel\n6.1\n### host\n${LAB}`).host?.conntrack).to.deep.equal({count: 53, max: 262144})
    expect(parseFacts('### kernel\n6.1\n').host).to.equal(undefined)
  })
})
