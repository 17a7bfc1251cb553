/**
 * Docker Engine API JSON (API 1.41, engine 20.10) as a three-node swarm answers it, trimmed of
 * fields swarmnet never reads only where they are long (Platform, Resources, TLSInfo, plugins).
 * For the raw→own mappers' tests: each sample is what one call returns for one object.
 */

const DIGEST = '@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6'
export const IDS = {
  node1: 'qq3ggp2xm4h2ugqv0z3vt1l6h',
  node2: 'x1v7eo2jnt5jx9sf3rl3e6k0p',
  node3: 'kq8ax6c2w3t0b8cfqdn9yjx2u',
  ingress: 'm7xq0r1tj6a1s2wz8wovk1ylb',
  appNet: 'y4rn1u0c7bq2hzk4n8fxg0s3d',
  web: 'k3x0q9w0b1rzv7l2n3d4f5g6h',
  agent: 'p9mz2h5c8d1r0t7w4q6e3y2u1',
  task1: 'v8c1kq0zq7y0z3h2b1n4m5l6k',
  container1: 'e1f9b25e3f0a5b4c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c',
}

export const infoManager = {
  ID: 'RCSJ:7H2N:3Q5Z:XK2V:OZ2A:4VLR:BZUV:OVJ5:HJ3B:QDCU:5UDS:YBYH',
  Containers: 4,
  Name: 'node-1',
  ServerVersion: '20.10.24+dfsg1',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  Swarm: {
    NodeID: IDS.node1,
    NodeAddr: '10.213.0.11',
    LocalNodeState: 'active',
    ControlAvailable: true,
    Error: '',
    RemoteManagers: [{NodeID: IDS.node1, Addr: '10.213.0.11:2377'}],
    Nodes: 3,
    Managers: 1,
    Cluster: {ID: 'w2yhzq5o6mkdwxq0g3b4l8x1c', Version: {Index: 10}, CreatedAt: '2026-12-06T22:01:02.123456789Z', Spec: {Name: 'default'}},
  },
}

/** A worker's info: no Cluster, and the managers it knows. */
export const infoWorker = {
  Name: 'node-2',
  ServerVersion: '20.10.24+dfsg1',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  Swarm: {NodeID: IDS.node2, NodeAddr: '10.213.0.12', LocalNodeState: 'active', ControlAvailable: false, Error: '', RemoteManagers: [{NodeID: IDS.node1, Addr: '10.213.0.11:2377'}], Nodes: 0, Managers: 0},
}

/** An engine not in a swarm: empty strings and RemoteManagers null. */
export const infoInactive = {
  Name: 'lonely',
  ServerVersion: '20.10.24+dfsg1',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  Swarm: {NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null},
}

/** The leader: Status.Addr 0.0.0.0 (a manager that listens on all addresses), the real one in ManagerStatus. */
export const nodeLeader = {
  ID: IDS.node1,
  Version: {Index: 9},
  CreatedAt: '2026-12-06T22:01:02.2Z',
  UpdatedAt: '2026-12-06T22:01:03.6Z',
  Spec: {Labels: {}, Role: 'manager', Availability: 'active'},
  Description: {Hostname: 'node-1', Platform: {Architecture: 'x86_64', OS: 'linux'}, Engine: {EngineVersion: '20.10.24+dfsg1', Plugins: [{Type: 'Network', Name: 'overlay'}]}},
  Status: {State: 'ready', Addr: '0.0.0.0'},
  ManagerStatus: {Leader: true, Reachability: 'reachable', Addr: '10.213.0.11:2377'},
}

export const nodeWorker = {
  ID: IDS.node2,
  Version: {Index: 25},
  CreatedAt: '2026-12-06T22:01:20.5Z',
  UpdatedAt: '2026-12-06T22:02:00.1Z',
  Spec: {Labels: {'swarmnet.proxy': 'true'}, Role: 'worker', Availability: 'drain'},
  Description: {Hostname: 'node-2', Platform: {Architecture: 'x86_64', OS: 'linux'}, Engine: {EngineVersion: '20.10.24+dfsg1'}},
  Status: {State: 'ready', Addr: '10.213.0.12'},
}

/** A node gone silent: State down, a message, and no Description.Engine yet (it never reported one). */
export const nodeDown = {
  ID: IDS.node3,
  Version: {Index: 31},
  Spec: {Role: 'worker', Availability: 'active'},
  Description: {Hostname: 'node-3'},
  Status: {State: 'down', Message: 'heartbeat failure', Addr: '10.213.0.13'},
}

/** An overlay from the network list on a manager: Containers null, Options with its VXLAN id and encryption. */
export const networkOverlay = {
  Name: 'app-net',
  Id: IDS.appNet,
  Created: '2026-12-06T22:05:11.434915377Z',
  Scope: 'swarm',
  Driver: 'overlay',
  EnableIPv6: false,
  IPAM: {Driver: 'default', Options: null, Config: [{Subnet: '10.0.1.0/24', Gateway: '10.0.1.1'}]},
  Internal: false,
  Attachable: true,
  Ingress: false,
  ConfigFrom: {Network: ''},
  ConfigOnly: false,
  Containers: null,
  Options: {'com.docker.network.driver.overlay.vxlanid_list': '4097', encrypted: ''},
  Labels: {'swarmnet.managed': 'true'},
}

/** The host network: no IPAM config, and Options/Labels null as some engines list them. */
export const networkHost = {
  Name: 'host',
  Id: '7a1f4f5b0b9e6c3d2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f',
  Created: '2026-12-06T21:59:58.1Z',
  Scope: 'local',
  Driver: 'host',
  EnableIPv6: false,
  IPAM: {Driver: 'default', Options: null, Config: []},
  Internal: false,
  Attachable: false,
  Ingress: false,
  Options: null,
  Labels: null,
}

/** `network inspect --verbose` (scope swarm): Peers and Services, with the load balancer's endpoint under "". */
export const networkVerbose = {
  ...networkOverlay,
  Containers: {},
  Peers: [{Name: 'node-1-8a8c2d9e0f1b', IP: '10.213.0.11'}, {Name: 'node-2-1c2d3e4f5a6b', IP: '10.213.0.12'}],
  Services: {
    web: {VIP: '10.0.1.2', Ports: ['Target: 80, Publish: 8080'], LocalLBIndex: 257, Tasks: [
      {Name: `web.1.${IDS.task1}`, EndpointID: 'a1b2c3d4e5f6', EndpointIP: '10.0.1.3', Info: {'Host IP': '10.213.0.12'}},
    ]},
    agent: {VIP: '', Ports: [], LocalLBIndex: 0, Tasks: [{Name: `agent.${IDS.node2}.r2d2c3po4bb8`, EndpointID: 'f6e5d4c3b2a1', EndpointIP: '10.0.1.5', Info: {}}]},
    '': {VIP: '', Ports: [], LocalLBIndex: 0, Tasks: [{Name: 'app-net-endpoint', EndpointID: '0a9b8c7d6e5f', EndpointIP: '10.0.1.4', Info: {'Host IP': '10.213.0.11'}}]},
  },
}

/** A replicated VIP service publishing through the ingress: its ingress VIP is in Endpoint only. */
export const serviceReplicated = {
  ID: IDS.web,
  Version: {Index: 1234},
  CreatedAt: '2026-12-06T22:10:01.123456789Z',
  UpdatedAt: '2026-12-06T22:15:42.987654321Z',
  Spec: {
    Name: 'web',
    Labels: {'swarmnet.route': 'web.example'},
    TaskTemplate: {
      ContainerSpec: {Image: `nginx:1.25-alpine${DIGEST}`, Env: ['MODE=prod'], Init: false, StopGracePeriod: 10_000_000_000, DNSConfig: {}, Isolation: 'default'},
      Resources: {Limits: {}, Reservations: {}},
      RestartPolicy: {Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0},
      Placement: {Constraints: ['node.role==worker'], Platforms: [{Architecture: 'amd64', OS: 'linux'}]},
      Networks: [{Target: IDS.appNet, Aliases: ['web']}],
      ForceUpdate: 0,
      Runtime: 'container',
    },
    Mode: {Replicated: {Replicas: 3}},
    UpdateConfig: {Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first'},
    EndpointSpec: {Mode: 'vip', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress'}]},
  },
  Endpoint: {
    Spec: {Mode: 'vip', Ports: [{Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress'}]},
    Ports: [{Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress'}],
    VirtualIPs: [{NetworkID: IDS.ingress, Addr: '10.0.0.5/24'}, {NetworkID: IDS.appNet, Addr: '10.0.1.2/24'}],
  },
  UpdateStatus: {State: 'completed', StartedAt: '2026-12-06T22:15:30.1Z', CompletedAt: '2026-12-06T22:15:42.9Z', Message: 'update completed'},
  ServiceStatus: {RunningTasks: 2, DesiredTasks: 3, CompletedTasks: 0},
}

/**
 * A global dnsrr service with a host-mode port, as first created: no VIPs, Endpoint holding its
 * Spec only (no Ports yet), the networks still in the deprecated Spec.Networks, no UpdateStatus.
 */
export const serviceGlobal = {
  ID: IDS.agent,
  Version: {Index: 1300},
  CreatedAt: '2026-12-06T22:20:00.5Z',
  UpdatedAt: '2026-12-06T22:20:00.5Z',
  Spec: {
    Name: 'agent',
    TaskTemplate: {ContainerSpec: {Image: 'busybox:1.36', Isolation: 'default'}, ForceUpdate: 0, Runtime: 'container'},
    Mode: {Global: {}},
    Networks: [{Target: IDS.appNet}],
    EndpointSpec: {Mode: 'dnsrr', Ports: [{Protocol: 'udp', TargetPort: 5353, PublishedPort: 53, PublishMode: 'host'}]},
  },
  Endpoint: {Spec: {Mode: 'dnsrr', Ports: [{Protocol: 'udp', TargetPort: 5353, PublishedPort: 53, PublishMode: 'host'}]}},
}

/** A running task of web, on the ingress and app-net, its container known. */
export const taskRunning = {
  ID: IDS.task1,
  Version: {Index: 1240},
  CreatedAt: '2026-12-06T22:10:01.2Z',
  UpdatedAt: '2026-12-06T22:10:04.8Z',
  Labels: {},
  Spec: {ContainerSpec: {Image: `nginx:1.25-alpine${DIGEST}`, Isolation: 'default'}, Networks: [{Target: IDS.appNet, Aliases: ['web']}], ForceUpdate: 0},
  ServiceID: IDS.web,
  Slot: 1,
  NodeID: IDS.node2,
  Status: {Timestamp: '2026-12-06T22:10:04.7Z', State: 'running', Message: 'started', ContainerStatus: {ContainerID: IDS.container1, PID: 4242, ExitCode: 0}, PortStatus: {}},
  DesiredState: 'running',
  NetworksAttachments: [
    {Network: {ID: IDS.ingress, Spec: {Name: 'ingress', Ingress: true}}, Addresses: ['10.0.0.7/24']},
    {Network: {ID: IDS.appNet, Spec: {Name: 'app-net'}}, Addresses: ['10.0.1.3/24']},
  ],
  AssignedGenericResources: [],
}

/** A global service's task (no Slot) that published a host-mode port on its node. */
export const taskHostPort = {
  ID: 'r2d2c3po4bb8k2so9ig88ch7x',
  CreatedAt: '2026-12-06T22:20:00.6Z',
  Spec: {ContainerSpec: {Image: 'busybox:1.36'}},
  ServiceID: IDS.agent,
  NodeID: IDS.node2,
  Status: {
    Timestamp: '2026-12-06T22:20:02.1Z', State: 'running', Message: 'started',
    ContainerStatus: {ContainerID: 'b7c8d9e0f1a2', PID: 5151, ExitCode: 0},
    PortStatus: {Ports: [{Protocol: 'udp', TargetPort: 5353, PublishedPort: 53, PublishMode: 'host'}]},
  },
  DesiredState: 'running',
  NetworksAttachments: [{Network: {ID: IDS.appNet}, Addresses: ['10.0.1.5/24']}],
}

/** A task no node can take: no NodeID, no container, an Err, no networks attached yet. */
export const taskPending = {
  ID: 'z9y8x7w6v5u4t3s2r1q0p9o8n',
  CreatedAt: '2026-12-06T22:30:00.1Z',
  Spec: {ContainerSpec: {Image: `nginx:1.25-alpine${DIGEST}`}},
  ServiceID: IDS.web,
  Slot: 3,
  Status: {Timestamp: '2026-12-06T22:30:00.2Z', State: 'pending', Message: 'pending task scheduling', Err: 'no suitable node (scheduling constraints not satisfied on 3 nodes)', PortStatus: {}},
  DesiredState: 'running',
}

/** A task container from the container list. */
export const containerTask = {
  Id: IDS.container1,
  Names: [`/web.1.${IDS.task1}`],
  Image: `nginx:1.25-alpine${DIGEST}`,
  ImageID: 'sha256:4a7c1d2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
  Command: '/docker-entrypoint.sh nginx -g \'daemon off;\'',
  Created: 1_765_059_004,
  Ports: [{PrivatePort: 80, Type: 'tcp'}],
  Labels: {'com.docker.swarm.node.id': IDS.node2, 'com.docker.swarm.service.name': 'web', 'com.docker.swarm.task.name': `web.1.${IDS.task1}`},
  State: 'running',
  Status: 'Up 20 minutes',
  HostConfig: {NetworkMode: 'default'},
  NetworkSettings: {Networks: {ingress: {IPAddress: '10.0.0.7'}, 'app-net': {IPAddress: '10.0.1.3'}}},
  Mounts: [],
}
