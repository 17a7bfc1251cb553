import {execFile} from 'node:child_process'

import {swarmnet} from './cli.js'
import {eventually} from './poll.js'

export const LAB_NODES = ['node-1', 'node-2', 'node-3']
export const nodeIp = (name: string) => `10.213.0.${10 + Number(name.split('-')[1])}`
export const nodeSocket = (name: string) => `unix:///run/swarmnet-lab/${name}/docker.sock`

/** The variables `swarmnet lab env [NODE]` sets, ready to pass as an environment. */
export async function labVars(node?: string): Promise<Record<string, string | undefined>> {
  const result = await swarmnet(['lab', 'env', ...(node ? [node] : []), '--json'])
  if (result.code !== 0) throw new Error(`lab env failed: ${result.stderr || result.stdout}`)
  const vars: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(result.json.variables as Record<string, string | null>)) vars[name] = value ?? undefined
  return vars
}

/** Runs the real docker CLI (the test's witness of what swarmnet did). */
export function docker(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<{code: number; stdout: string; stderr: string}> {
  const merged: NodeJS.ProcessEnv = {...process.env}
  for (const name of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT', 'DOCKER_CONFIG']) delete merged[name]
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value
  return new Promise((resolve) => {
    execFile('docker', args, {env: merged, timeout: timeoutMs}, (error, stdout, stderr) => {
      resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr)})
    })
  })
}

/** docker CLI against one node's socket; fails the test on error. */
export async function onNode(node: string, args: string[]): Promise<string> {
  const result = await docker(['-H', nodeSocket(node), ...args])
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} on ${node}: ${result.stderr}`)
  return result.stdout
}

/** Polls until `check` returns true, for things Swarm does asynchronously. */
export {eventually} from './poll.js'

/**
 * Removes services and networks a test made, whatever state they are in. A network a test makes is
 * its own: whatever else still holds it is left over from a killed run (another test's service, a
 * helper container), and is removed with it, so a run starts cleanly over what a killed one left.
 */
export async function removeServicesAndNetworks(services: string[], networks: string[]): Promise<void> {
  const manager = ['-H', nodeSocket('node-1')]
  const holders = await Promise.all(networks.map(async (network) => {
    const id = (await docker([...manager, 'network', 'inspect', '-f', '{{.Id}}', network])).stdout.trim()
    if (!id) return []
    const all = (await docker([...manager, 'service', 'ls', '-q'])).stdout.split('\n').filter(Boolean)
    if (all.length === 0) return []
    const specs = (await docker([...manager, 'service', 'inspect', '-f', '{{.Spec.Name}} {{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}', ...all])).stdout
    return specs.split('\n').map((line) => line.trim().split(' ')).filter(([, ...targets]) => targets.some((t) => t === network || id.startsWith(t))).map(([name]) => name)
  }))
  const remove = [...new Set([...services, ...holders.flat()])]
  if (remove.length > 0) await docker([...manager, 'service', 'rm', ...remove])
  for (const network of networks) {
    // Containers started on it outside Swarm (a killed run's helpers) hold it on their node.
    await Promise.all(LAB_NODES.map(async (node) => {
      const listed = await docker(['-H', nodeSocket(node), 'ps', '-a', '--filter', `network=${network}`, '--format', '{{.ID}} {{.Label "com.docker.swarm.service.id"}}'])
      const loose = listed.stdout.split('\n').map((line) => line.trim().split(' ')).filter(([id, service]) => id && !service).map(([id]) => id)
      if (loose.length > 0) await docker(['-H', nodeSocket(node), 'rm', '-f', ...loose])
    }))
  }

  for (const network of networks) {
    // Removal is asynchronous: retry while tasks still hold it, until the manager no longer lists it.
    await eventually(`network ${network} removed`, async () => {
      await docker(['-H', nodeSocket('node-1'), 'network', 'rm', network])
      const left = await docker(['-H', nodeSocket('node-1'), 'network', 'ls', '-q', '--filter', `name=^${network}$`])
      return left.code === 0 && left.stdout.trim() === ''
    })
  }
}
