import type {ContainerSummary, EngineInfo, NetworkDetail, NetworkSpec, NetworkSummary, PortSpec, ServiceSpec, ServiceSummary, SwarmNode, TaskSummary} from './engine.js'

/**
 * The engine's JSON (Docker Engine API) to swarmnet's own types and back: pure, so the shapes the
 * engine sends (global or replicated services, host-mode ports, missing fields) are tested without one.
 */

/** A JSON object as the engine sends it. */
export type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export function toInfo(raw: Raw): EngineInfo {
  const swarm = raw.Swarm ?? {}
  return {
    name: String(raw.Name ?? ''),
    serverVersion: String(raw.ServerVersion ?? ''),
    os: String(raw.OperatingSystem ?? ''),
    swarm: {
      state: swarm.LocalNodeState || 'inactive',
      nodeId: String(swarm.NodeID ?? ''),
      nodeAddr: String(swarm.NodeAddr ?? ''),
      controlAvailable: Boolean(swarm.ControlAvailable),
      clusterId: swarm.Cluster?.ID,
      remoteManagers: ((swarm.RemoteManagers ?? []) as Raw[]).map((m) => ({nodeId: String(m.NodeID ?? ''), addr: String(m.Addr ?? '')})),
    },
  }
}

export function toNode(raw: Raw): SwarmNode {
  const manager = raw.ManagerStatus
  let address = String(raw.Status?.Addr ?? '')
  // Managers may report 0.0.0.0 as Status.Addr; their raft address is the real one.
  if ((!address || address === '0.0.0.0') && manager?.Addr) address = String(manager.Addr).replace(/:\d+$/, '')
  return {
    id: String(raw.ID),
    hostname: String(raw.Description?.Hostname ?? ''),
    role: raw.Spec?.Role === 'manager' ? 'manager' : 'worker',
    leader: Boolean(manager?.Leader),
    status: String(raw.Status?.State ?? 'unknown'),
    availability: String(raw.Spec?.Availability ?? 'unknown'),
    address,
    engineVersion: String(raw.Description?.Engine?.EngineVersion ?? ''),
    managerReachability: manager?.Reachability,
    labels: raw.Spec?.Labels ?? {},
  }
}

export function toNetwork(raw: Raw): NetworkSummary {
  const options: Record<string, string> = raw.Options ?? {}
  return {
    id: String(raw.Id),
    name: String(raw.Name),
    driver: String(raw.Driver ?? ''),
    scope: String(raw.Scope ?? ''),
    attachable: Boolean(raw.Attachable),
    internal: Boolean(raw.Internal),
    ingress: Boolean(raw.Ingress),
    encrypted: 'encrypted' in options,
    subnets: ((raw.IPAM?.Config ?? []) as Raw[]).map((c) => ({subnet: String(c.Subnet ?? ''), gateway: c.Gateway || undefined})),
    options,
    labels: raw.Labels ?? {},
  }
}

export function toNetworkDetail(raw: Raw): NetworkDetail {
  const services = Object.entries((raw.Services ?? {}) as Record<string, Raw>)
    .filter(([name]) => name !== '')
    .map(([name, s]) => ({
      name,
      vip: s.VIP || undefined,
      ports: (s.Ports ?? []) as string[],
      tasks: ((s.Tasks ?? []) as Raw[]).map((t) => ({name: String(t.Name), endpointIp: String(t.EndpointIP ?? ''), hostIp: t.Info?.['Host IP']})),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
  return {
    ...toNetwork(raw),
    created: raw.Created,
    peers: ((raw.Peers ?? []) as Raw[]).map((p) => ({name: String(p.Name), ip: String(p.IP)})),
    services,
  }
}

export function networkBody(spec: NetworkSpec): Record<string, unknown> {
  const options: Record<string, string> = {}
  if (spec.encrypted) options.encrypted = ''
  if (spec.mtu !== undefined) options['com.docker.network.driver.mtu'] = String(spec.mtu)
  const body: Record<string, unknown> = {
    Name: spec.name,
    Driver: 'overlay',
    CheckDuplicate: true,
    Attachable: Boolean(spec.attachable),
    Options: options,
    Labels: spec.labels ?? {},
  }
  if (spec.subnet) body.IPAM = {Driver: 'default', Config: [{Subnet: spec.subnet, ...(spec.gateway ? {Gateway: spec.gateway} : {})}]}
  return body
}

export function toService(raw: Raw): ServiceSummary {
  const spec = raw.Spec ?? {}
  const vips = new Map<string, string>(((raw.Endpoint?.VirtualIPs ?? []) as Raw[]).map((v) => [String(v.NetworkID), String(v.Addr ?? '')]))
  const attached = ((spec.TaskTemplate?.Networks ?? spec.Networks ?? []) as Raw[]).map((n) => String(n.Target))
  const ports = ((raw.Endpoint?.Ports ?? spec.EndpointSpec?.Ports ?? []) as Raw[]).map(toPort)
  return {
    id: String(raw.ID),
    name: String(spec.Name ?? ''),
    image: String(spec.TaskTemplate?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
    mode: spec.Mode?.Global ? 'global' : 'replicated',
    replicas: spec.Mode?.Replicated?.Replicas,
    endpointMode: String(spec.EndpointSpec?.Mode ?? 'vip'),
    networks: [...new Set([...attached, ...vips.keys()])].map((id) => ({id, vip: vips.get(id)?.replace(/\/\d+$/, '') || undefined})),
    ports,
    labels: spec.Labels ?? {},
    env: (spec.TaskTemplate?.ContainerSpec?.Env ?? []) as string[],
    constraints: (spec.TaskTemplate?.Placement?.Constraints ?? []) as string[],
    version: Number(raw.Version?.Index ?? 0),
    createdAt: String(raw.CreatedAt ?? ''),
    updatedAt: String(raw.UpdatedAt ?? ''),
    update: raw.UpdateStatus ? {state: String(raw.UpdateStatus.State ?? ''), startedAt: String(raw.UpdateStatus.StartedAt ?? ''), message: String(raw.UpdateStatus.Message ?? '')} : undefined,
    status: raw.ServiceStatus ? {running: Number(raw.ServiceStatus.RunningTasks ?? 0), desired: Number(raw.ServiceStatus.DesiredTasks ?? 0)} : undefined,
  }
}

export function toPort(p: Raw): PortSpec {
  return {
    protocol: String(p.Protocol ?? 'tcp'),
    targetPort: Number(p.TargetPort),
    publishedPort: p.PublishedPort === undefined ? undefined : Number(p.PublishedPort),
    publishMode: String(p.PublishMode ?? 'ingress'),
  }
}

export function portBody(p: PortSpec): Raw {
  return {Protocol: p.protocol, TargetPort: p.targetPort, PublishMode: p.publishMode, ...(p.publishedPort === undefined ? {} : {PublishedPort: p.publishedPort})}
}

export function serviceBody(spec: ServiceSpec): Raw {
  return mergeServiceSpec({}, spec)
}

/** The fields ServiceSpec covers, written over an existing raw spec (or an empty one). */
export function mergeServiceSpec(current: Raw, spec: ServiceSpec): Raw {
  const template = current.TaskTemplate ?? {}
  const merged: Raw = {
    ...current,
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ...template,
      ContainerSpec: {...template.ContainerSpec, Image: spec.image, Env: spec.env},
      Placement: {...template.Placement, Constraints: spec.constraints},
      Networks: spec.networks.map((target) => ({Target: target})),
    },
    Mode: spec.mode === 'global' ? {Global: {}} : {Replicated: {Replicas: spec.replicas ?? 1}},
    EndpointSpec: {...current.EndpointSpec, Mode: spec.endpointMode ?? current.EndpointSpec?.Mode ?? 'vip', Ports: spec.ports.map(portBody)},
  }
  delete merged.Networks // the deprecated place; TaskTemplate.Networks is the one that counts
  return merged
}

export function toContainer(raw: Raw): ContainerSummary {
  return {
    id: String(raw.Id),
    name: String((raw.Names ?? [''])[0]).replace(/^\//, ''),
    image: String(raw.Image ?? ''),
    state: String(raw.State ?? ''),
    labels: raw.Labels ?? {},
  }
}

export function toTask(raw: Raw): TaskSummary {
  return {
    id: String(raw.ID),
    serviceId: String(raw.ServiceID ?? ''),
    nodeId: String(raw.NodeID ?? ''),
    slot: raw.Slot,
    image: String(raw.Spec?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
    desiredState: String(raw.DesiredState ?? ''),
    state: String(raw.Status?.State ?? ''),
    stateSince: String(raw.Status?.Timestamp ?? ''),
    createdAt: String(raw.CreatedAt ?? ''),
    message: String(raw.Status?.Message ?? ''),
    error: raw.Status?.Err || undefined,
    containerId: raw.Status?.ContainerStatus?.ContainerID || undefined,
    addresses: ((raw.NetworksAttachments ?? []) as Raw[]).flatMap((a) =>
      ((a.Addresses ?? []) as string[]).map((address) => ({networkId: String(a.Network?.ID ?? ''), address: address.replace(/\/\d+$/, '')})),
    ),
    publishedPorts: ((raw.Status?.PortStatus?.Ports ?? []) as Raw[]).map(toPort),
  }
}
