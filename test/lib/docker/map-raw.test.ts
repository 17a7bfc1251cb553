import {expect} from 'chai'

import type {ServiceSpec} from '../../../src/lib/docker/engine.js'
import {mergeServiceSpec, networkBody, serviceBody, toContainer, toInfo, toNetwork, toNetworkDetail, toNode, toPort, toService, toSwarmSettings, toTask} from '../../../src/lib/docker/map-raw.js'
import * as json from '../../helpers/engine-json.js'

const {IDS} = json

describe('map-raw: the engine\'s JSON to swarmnet\'s types', () => {
  describe('toInfo', () => {
    it('reads a manager\'s swarm state, cluster and managers', () => {
      expect(toInfo(json.infoManager)).to.deep.equal({
        name: 'node-1',
        serverVersion: '20.10.24+dfsg1',
        os: 'Debian GNU/Linux 12 (bookworm)',
        swarm: {state: 'active', nodeId: IDS.node1, nodeAddr: '10.213.0.11', controlAvailable: true, clusterId: 'w2yhzq5o6mkdwxq0g3b4l8x1c', remoteManagers: [{nodeId: IDS.node1, addr: '10.213.0.11:2377'}]},
      })
    })

    it('a worker has no cluster id; an engine outside a swarm has RemoteManagers null', () => {
      expect(toInfo(json.infoWorker).swarm).to.deep.include({controlAvailable: false, clusterId: undefined, remoteManagers: [{nodeId: IDS.node1, addr: '10.213.0.11:2377'}]})
      expect(toInfo(json.infoInactive).swarm).to.deep.equal({state: 'inactive', nodeId: '', nodeAddr: '', controlAvailable: false, clusterId: undefined, remoteManagers: []})
    })

    it('an empty answer still gives every field', () => {
      expect(toInfo({})).to.deep.equal({name: '', serverVersion: '', os: '', swarm: {state: 'inactive', nodeId: '', nodeAddr: '', controlAvailable: false, clusterId: undefined, remoteManagers: []}})
    })
  })

  describe('toSwarmSettings', () => {
    it('reads the default address pool and subnet size of GET /swarm', () => {
      expect(toSwarmSettings({ID: 'x', DefaultAddrPool: ['10.20.0.0/16', '10.30.0.0/16'], SubnetSize: 26, DataPathPort: 4789})).to.deep.equal({defaultAddrPool: ['10.20.0.0/16', '10.30.0.0/16'], subnetSize: 26, dataPathPort: 4789})
    })

    it('DataPathPort as set by swarm init --data-path-port; 0 or absent (engines before 19.03) is 4789; the lab\'s Engine 20.10 says 4789 itself', () => {
      expect(toSwarmSettings({ID: 'x', DataPathPort: 4790}).dataPathPort).to.equal(4790)
      expect(toSwarmSettings({ID: 'x', DataPathPort: 0}).dataPathPort).to.equal(4789)
    })

    it('falls back to Docker\'s default pool when the engine sends none', () => {
      expect(toSwarmSettings({ID: 'x'})).to.deep.equal({defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789})
    })
  })

  describe('toNode', () => {
    it('a leader reporting 0.0.0.0 gets the host of its raft address', () => {
      expect(toNode(json.nodeLeader)).to.deep.equal({
        id: IDS.node1, hostname: 'node-1', role: 'manager', leader: true, status: 'ready', availability: 'active',
        address: '10.213.0.11', engineVersion: '20.10.24+dfsg1', managerReachability: 'reachable', labels: {},
      })
    })

    it('a worker keeps its Status.Addr, labels and availability', () => {
      expect(toNode(json.nodeWorker)).to.deep.equal({
        id: IDS.node2, hostname: 'node-2', role: 'worker', leader: false, status: 'ready', availability: 'drain',
        address: '10.213.0.12', engineVersion: '20.10.24+dfsg1', managerReachability: undefined, labels: {'swarmnet.proxy': 'true'},
      })
    })

    it('a down node without an engine version, and a node with nothing but its id', () => {
      expect(toNode(json.nodeDown)).to.deep.include({status: 'down', address: '10.213.0.13', engineVersion: '', labels: {}})
      expect(toNode({ID: 'bare'})).to.deep.equal({
        id: 'bare', hostname: '', role: 'worker', leader: false, status: 'unknown', availability: 'unknown',
        address: '', engineVersion: '', managerReachability: undefined, labels: {},
      })
    })
  })

  describe('toNetwork and toNetworkDetail', () => {
    it('an encrypted attachable overlay with its subnet and gateway', () => {
      expect(toNetwork(json.networkOverlay)).to.deep.equal({
        id: IDS.appNet, name: 'app-net', driver: 'overlay', scope: 'swarm', attachable: true, internal: false, ingress: false, encrypted: true,
        subnets: [{subnet: '10.0.1.0/24', gateway: '10.0.1.1'}],
        options: {'com.docker.network.driver.overlay.vxlanid_list': '4097', encrypted: ''},
        labels: {'swarmnet.managed': 'true'},
      })
    })

    it('Options and Labels null, no IPAM config: empty, not encrypted', () => {
      expect(toNetwork(json.networkHost)).to.deep.include({driver: 'host', scope: 'local', encrypted: false, subnets: [], options: {}, labels: {}})
      expect(toNetwork({...json.networkOverlay, IPAM: {Driver: 'default', Config: [{Subnet: '10.0.9.0/24'}]}}).subnets).to.deep.equal([{subnet: '10.0.9.0/24', gateway: undefined}])
    })

    it('verbose: peers, and services sorted by name without the load balancer\'s "" entry', () => {
      const detail = toNetworkDetail(json.networkVerbose)
      expect(detail).to.deep.include({id: IDS.appNet, created: '2026-12-06T22:05:11.434915377Z', encrypted: true})
      expect(detail.peers).to.deep.equal([{name: 'node-1-8a8c2d9e0f1b', ip: '10.213.0.11'}, {name: 'node-2-1c2d3e4f5a6b', ip: '10.213.0.12'}])
      expect(detail.services).to.deep.equal([
        {name: 'agent', vip: undefined, ports: [], tasks: [{name: `agent.${IDS.node2}.r2d2c3po4bb8`, endpointIp: '10.0.1.5', hostIp: undefined}]},
        {name: 'web', vip: '10.0.1.2', ports: ['Target: 80, Publish: 8080'], tasks: [{name: `web.1.${IDS.task1}`, endpointIp: '10.0.1.3', hostIp: '10.213.0.12'}]},
      ])
    })

    it('not verbose: no peers, no services', () => {
      expect(toNetworkDetail(json.networkOverlay)).to.deep.include({peers: [], services: []})
    })
  })

  describe('toService', () => {
    it('replicated: image without its digest, VIPs without their prefix, the ingress VIP too, status and update', () => {
      expect(toService(json.serviceReplicated)).to.deep.equal({
        id: IDS.web,
        name: 'web',
        image: 'nginx:1.25-alpine',
        mode: 'replicated',
        replicas: 3,
        endpointMode: 'vip',
        networks: [{id: IDS.appNet, vip: '10.0.1.2'}, {id: IDS.ingress, vip: '10.0.0.5'}],
        ports: [{protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress'}],
        labels: {'swarmnet.route': 'web.example'},
        env: ['MODE=prod'],
        constraints: ['node.role==worker'],
        version: 1234,
        createdAt: '2026-12-06T22:10:01.123456789Z',
        updatedAt: '2026-12-06T22:15:42.987654321Z',
        update: {state: 'completed', startedAt: '2026-12-06T22:15:30.1Z', message: 'update completed'},
        status: {running: 2, desired: 3},
      })
    })

    it('global dnsrr: no replicas, no VIP, networks from the deprecated Spec.Networks, host-mode ports from the spec', () => {
      expect(toService(json.serviceGlobal)).to.deep.equal({
        id: IDS.agent,
        name: 'agent',
        image: 'busybox:1.36',
        mode: 'global',
        replicas: undefined,
        endpointMode: 'dnsrr',
        networks: [{id: IDS.appNet, vip: undefined}],
        ports: [{protocol: 'udp', targetPort: 5353, publishedPort: 53, publishMode: 'host'}],
        labels: {},
        env: [],
        constraints: [],
        version: 1300,
        createdAt: '2026-12-06T22:20:00.5Z',
        updatedAt: '2026-12-06T22:20:00.5Z',
        update: undefined,
        status: undefined,
      })
    })

    it('the allocated ports (Endpoint.Ports) win over the spec\'s, e.g. a published port the engine chose', () => {
      const spec = {...json.serviceReplicated.Spec, EndpointSpec: {Mode: 'vip', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress'}]}}
      const endpoint = {...json.serviceReplicated.Endpoint, Ports: [{Protocol: 'tcp', TargetPort: 80, PublishedPort: 30_000, PublishMode: 'ingress'}]}
      expect(toService({...json.serviceReplicated, Spec: spec, Endpoint: endpoint}).ports).to.deep.equal([{protocol: 'tcp', targetPort: 80, publishedPort: 30_000, publishMode: 'ingress'}])
    })

    it('a service with nothing but its id', () => {
      expect(toService({ID: 'bare'})).to.deep.include({name: '', image: '', mode: 'replicated', replicas: undefined, endpointMode: 'vip', networks: [], ports: [], version: 0})
    })
  })

  describe('toPort', () => {
    it('defaults: tcp, ingress; no PublishedPort stays undefined', () => {
      expect(toPort({TargetPort: 80})).to.deep.equal({protocol: 'tcp', targetPort: 80, publishedPort: undefined, publishMode: 'ingress'})
      expect(toPort({Protocol: 'sctp', TargetPort: '9', PublishedPort: '9009', PublishMode: 'host'})).to.deep.equal({protocol: 'sctp', targetPort: 9, publishedPort: 9009, publishMode: 'host'})
    })
  })

  describe('toTask', () => {
    it('a running replicated task: slot, container, addresses without their prefix', () => {
      expect(toTask(json.taskRunning)).to.deep.equal({
        id: IDS.task1,
        serviceId: IDS.web,
        nodeId: IDS.node2,
        slot: 1,
        image: 'nginx:1.25-alpine',
        desiredState: 'running',
        state: 'running',
        stateSince: '2026-12-06T22:10:04.7Z',
        createdAt: '2026-12-06T22:10:01.2Z',
        message: 'started',
        error: undefined,
        containerId: IDS.container1,
        addresses: [{networkId: IDS.ingress, address: '10.0.0.7'}, {networkId: IDS.appNet, address: '10.0.1.3'}],
        publishedPorts: [],
      })
    })

    it('a global task: no slot, the host-mode port it published', () => {
      expect(toTask(json.taskHostPort)).to.deep.include({slot: undefined, containerId: 'b7c8d9e0f1a2', publishedPorts: [{protocol: 'udp', targetPort: 5353, publishedPort: 53, publishMode: 'host'}]})
    })

    it('a pending task: no node, no container, its error, no addresses', () => {
      expect(toTask(json.taskPending)).to.deep.include({
        nodeId: '', state: 'pending', containerId: undefined, addresses: [], publishedPorts: [],
        error: 'no suitable node (scheduling constraints not satisfied on 3 nodes)',
      })
    })
  })

  describe('toContainer', () => {
    it('the name without its slash; the image as listed', () => {
      expect(toContainer(json.containerTask)).to.deep.equal({
        id: IDS.container1,
        name: `web.1.${IDS.task1}`,
        image: json.containerTask.Image,
        state: 'running',
        labels: json.containerTask.Labels,
      })
      expect(toContainer({Id: 'c'})).to.deep.equal({id: 'c', name: '', image: '', state: '', labels: {}})
    })
  })
})

describe('map-raw: swarmnet\'s specs to the engine\'s JSON', () => {
  const spec: ServiceSpec = {
    name: 'web', image: 'nginx:1.25-alpine', mode: 'replicated', env: ['MODE=prod'], networks: ['app-net'],
    ports: [{protocol: 'tcp', targetPort: 80, publishMode: 'host'}], constraints: ['node.role==worker'], labels: {a: 'b'},
  }

  it('networkBody: an overlay, encrypted with an MTU, and IPAM only with a subnet', () => {
    expect(networkBody({name: 'n', encrypted: true, mtu: 1400, subnet: '10.9.0.0/24', gateway: '10.9.0.1'})).to.deep.equal({
      Name: 'n', Driver: 'overlay', CheckDuplicate: true, Attachable: false,
      Options: {encrypted: '', 'com.docker.network.driver.mtu': '1400'}, Labels: {},
      IPAM: {Driver: 'default', Config: [{Subnet: '10.9.0.0/24', Gateway: '10.9.0.1'}]},
    })
    expect(networkBody({name: 'n', attachable: true, labels: {x: 'y'}})).to.deep.equal({Name: 'n', Driver: 'overlay', CheckDuplicate: true, Attachable: true, Options: {}, Labels: {x: 'y'}})
  })

  it('serviceBody: one replica by default, ports without PublishedPort when none is given', () => {
    expect(serviceBody(spec)).to.deep.equal({
      Name: 'web', Labels: {a: 'b'},
      TaskTemplate: {ContainerSpec: {Image: 'nginx:1.25-alpine', Env: ['MODE=prod']}, Placement: {Constraints: ['node.role==worker']}, Networks: [{Target: 'app-net'}]},
      Mode: {Replicated: {Replicas: 1}},
      EndpointSpec: {Mode: 'vip', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishMode: 'host'}]},
    })
    expect(serviceBody({...spec, mode: 'global', endpointMode: 'dnsrr'})).to.deep.include({Mode: {Global: {}}, EndpointSpec: {Mode: 'dnsrr', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishMode: 'host'}]}})
  })

  it('mergeServiceSpec keeps what ServiceSpec does not cover, and the endpoint mode unless given; drops Spec.Networks', () => {
    const merged = mergeServiceSpec(structuredClone(json.serviceGlobal.Spec), {...spec, replicas: 2})
    expect(merged).to.deep.equal({
      Name: 'web', Labels: {a: 'b'},
      TaskTemplate: {
        ContainerSpec: {Image: 'nginx:1.25-alpine', Env: ['MODE=prod'], Isolation: 'default'}, ForceUpdate: 0, Runtime: 'container',
        Placement: {Constraints: ['node.role==worker']}, Networks: [{Target: 'app-net'}],
      },
      Mode: {Replicated: {Replicas: 2}},
      EndpointSpec: {Mode: 'dnsrr', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishMode: 'host'}]},
    })
    const kept = mergeServiceSpec(structuredClone(json.serviceReplicated.Spec), spec)
    expect(kept).to.deep.include({UpdateConfig: json.serviceReplicated.Spec.UpdateConfig})
    expect(kept.TaskTemplate).to.deep.include({RestartPolicy: json.serviceReplicated.Spec.TaskTemplate.RestartPolicy, Resources: {Limits: {}, Reservations: {}}})
    expect(kept.TaskTemplate.Placement).to.deep.equal({Constraints: ['node.role==worker'], Platforms: [{Architecture: 'amd64', OS: 'linux'}]})
  })

  it('a spec read back through toService gives what was asked for', () => {
    const service = toService({ID: 's', Spec: serviceBody({...spec, ports: [{protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress'}]})})
    expect(service).to.deep.include({name: 'web', image: 'nginx:1.25-alpine', mode: 'replicated', replicas: 1, env: ['MODE=prod'], constraints: ['node.role==worker'], labels: {a: 'b'}})
    expect(service.ports).to.deep.equal([{protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress'}])
    expect(service.networks).to.deep.equal([{id: 'app-net', vip: undefined}])
  })
})
