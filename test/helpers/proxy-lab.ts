import {expect} from 'chai'

import {swarmnet} from './cli.js'
import {LAB_NODES, docker, eventually, labVars, nodeIp, nodeSocket, onNode, removeServicesAndNetworks} from './lab.js'

/**
 * Witnesses for the proxy tests: what each replica really holds, read with the plain docker CLI on
 * each node's own socket (never through swarmnet).
 */

/** The running proxy container on each node that has one. */
export async function proxyContainers(service = 'proxy'): Promise<{node: string; id: string}[]> {
  const found = await Promise.all(
    LAB_NODES.map(async (node) => {
      const ids = (await onNode(node, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])).trim().split('\n').filter(Boolean)
      return ids.map((id) => ({node, id}))
    }),
  )
  return found.flat()
}

/** /cfg/haproxy.cfg of every replica, byte for byte, keyed by node. */
export async function replicaFiles(service = 'proxy'): Promise<Record<string, string>> {
  const containers = await proxyContainers(service)
  const files = await Promise.all(containers.map(async ({node, id}) => [node, await onNode(node, ['exec', id, 'cat', '/cfg/haproxy.cfg'])] as const))
  return Object.fromEntries(files)
}

/** What each replica holds in memory (its config?type=json), asked from inside its container. */
export async function replicaRoutes(service = 'proxy'): Promise<Record<string, Record<string, {AclName?: string; ServiceDest?: {ServicePath?: string[]; Port?: string}[]; Users?: {Username: string; Password: string}[]}>>> {
  const containers = await proxyContainers(service)
  const script = "fetch('http://127.0.0.1:8080/v1/docker-flow-proxy/config?type=json').then((r) => r.text()).then((t) => process.stdout.write(t))"
  const routes = await Promise.all(containers.map(async ({node, id}) => [node, JSON.parse(await onNode(node, ['exec', id, 'node', '-e', script]))] as const))
  return Object.fromEntries(routes)
}

/** docker service create on the manager; fails the test if docker refuses. */
export async function createService(name: string, args: string[], image = 'swarmnet-lab/go-demo'): Promise<void> {
  const result = await docker(['-H', nodeSocket('node-1'), 'service', 'create', '-d', '--name', name, ...args, image])
  if (result.code !== 0) throw new Error(`docker service create ${name}: ${result.stderr}`)
}

/** Waits until `count` tasks of a service run. */
export async function running(name: string, count: number, timeoutMs = 90_000): Promise<void> {
  await eventually(`${name}: ${count} task(s) running`, async () => {
    const ps = await docker(['-H', nodeSocket('node-1'), 'service', 'ps', name, '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'])
    return ps.stdout.split('\n').filter((s) => s.startsWith('Running')).length === count
  }, timeoutMs)
}

export async function serviceLabels(name: string): Promise<Record<string, string>> {
  return JSON.parse(await onNode('node-1', ['service', 'inspect', name, '--format', '{{json .Spec.Labels}}'])) ?? {}
}

export async function taskIds(name: string): Promise<string[]> {
  return (await onNode('node-1', ['service', 'ps', '-q', '--filter', 'desired-state=running', name])).trim().split('\n').filter(Boolean).sort()
}

/** GET through the proxy's published port 80 on a node. */
export async function throughProxy(node: string, path: string): Promise<{status: number; body: string; servedBy: string | null}> {
  const response = await fetch(`http://${nodeIp(node)}${path}`, {signal: AbortSignal.timeout(10_000)})
  return {status: response.status, body: await response.text(), servedBy: response.headers.get('x-served-by')}
}

/** Runs swarmnet and expects success; the failure message shows what it said. */
export async function ok(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await swarmnet(args, {env, timeoutMs})
  expect(result.code, `swarmnet ${args.join(' ')}: ${result.stderr}${result.stdout}`).to.equal(0)
  return result.json
}

/**
 * A fresh proxy (swarmnet's defaults) and go-demo with `replicas` tasks on its network, over whatever
 * a killed run left; with `route`, go-demo routed at /demo. Returns the lab's variables for the CLI.
 */
export async function proxyWithGoDemo(replicas: number, options: {route?: boolean} = {}): Promise<Record<string, string | undefined>> {
  const env = await labVars()
  await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
  await ok(['proxy', 'up'], env)
  await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', String(replicas)])
  await running('go-demo', replicas)
  if (options.route) await ok(['route', 'add', 'go-demo', '/demo', '8080'], env)
  return env
}
