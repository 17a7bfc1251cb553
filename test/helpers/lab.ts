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

/** Removes services and networks a test made, whatever state they are in. */
export async function removeServicesAndNetworks(services: string[], networks: string[]): Promise<void> {
  if (services.length > 0) await docker(['-H', nodeSocket('node-1'), 'service', 'rm', ...services])
  for (const network of networks) {
    // Removal is asynchronous: retry while tasks still hold it, until the manager no longer lists it.
    await eventually(`network ${network} removed`, async () => {
      await docker(['-H', nodeSocket('node-1'), 'network', 'rm', network])
      const left = await docker(['-H', nodeSocket('node-1'), 'network', 'ls', '-q', '--filter', `name=^${network}$`])
      return left.code === 0 && left.stdout.trim() === ''
    })
  }
}
