import type {Cluster} from './cluster.js'
import type {Engine, ExecOutput, NetworkSummary, SwarmNode} from './engine.js'
import {SwarmnetError, oneLine, reasonOf} from '../core/errors.js'

/** A container on an overlay, on one node, in which swarmnet runs commands "from inside the network". */
export interface InNetwork {
  node: string
  /** "proxy.node-1 (c3f1a2b4d5e6)", or "helper from busybox:latest (c3f1a2b4d5e6)". */
  container: string
  helper: boolean
  exec(command: string[], options?: {timeoutMs?: number}): Promise<ExecOutput>
  /** Removes the helper, if one was started. */
  close(): Promise<void>
}

export const HELPER_LABEL = 'org.swarmnet.helper'
const MAX_TRIES = 4

/**
 * Finds where to run `tools` on a node's side of an overlay: a container already attached to it
 * that has them; else a short-lived helper attached to it, made from an image already on the node
 * (no registry needed; the overlay must be attachable).
 */
export async function inNetwork(cluster: Cluster, options: {network: NetworkSummary; node: Pick<SwarmNode, 'id' | 'hostname' | 'address'>; tools: string[]; preferImages?: string[]}): Promise<InNetwork> {
  const {engine} = await (await cluster.nodeEngines()).forNode(options.node)
  const probe = ['sh', '-c', options.tools.map((tool) => `command -v ${tool} >/dev/null`).join(' && ')]
  const has = async (id: string) => (await engine.exec(id, probe, {timeoutMs: cluster.timeoutMs}).catch(() => undefined))?.exitCode === 0
  const attached = (await engine.listContainers({network: options.network.name})).filter((c) => c.state === 'running' && c.labels[HELPER_LABEL] === undefined)
  for (const container of attached.slice(0, MAX_TRIES)) {
    if (await has(container.id)) return inside(engine, options.node.hostname, `${container.labels['com.docker.swarm.task.name']?.replace(/\.[a-z0-9]{25}$/, '') ?? container.name} (${container.id.slice(0, 12)})`, container.id, false)
  }

  if (!options.network.attachable) {
    throw new SwarmnetError(`no container on ${options.network.name} on ${options.node.hostname} has ${options.tools.join(' and ')}, and ${options.network.name} is not attachable, so no helper can join it; ask from another node, or create the network with --attachable`)
  }

  const images = await helperImages(engine, [...(options.preferImages ?? []), ...attached.map((c) => c.image)])
  const tried: string[] = []
  for (const image of images.slice(0, MAX_TRIES)) {
    let id: string | undefined
    try {
      id = await engine.runHelper({image, network: options.network.name, command: ['sleep', '600'], labels: {[HELPER_LABEL]: 'true'}})
      if (await has(id)) return inside(engine, options.node.hostname, `helper from ${image} (${id.slice(0, 12)})`, id, true)
      tried.push(`${image}: no ${options.tools.join('/')}`)
    } catch (error) {
      tried.push(`${image}: ${reasonOf(error)}`)
    }

    if (id) await engine.removeContainer(id).catch(() => {})
  }

  throw new SwarmnetError(`nowhere to run ${options.tools.join(' and ')} on ${options.network.name} on ${options.node.hostname}: no attached container has it${tried.length > 0 ? `; helpers tried: ${tried.join('; ')}` : ', and no image on the node to make a helper from'}`)
}

function inside(engine: Engine, node: string, container: string, id: string, helper: boolean): InNetwork {
  return {
    node,
    container,
    helper,
    exec: (command, options = {}) => engine.exec(id, command, options),
    close: async () => {
      if (helper) await engine.removeContainer(id).catch(() => {})
    },
  }
}

/** Images on the node to make a helper from: the preferred ones present, then small ones with a shell. */
async function helperImages(engine: Engine, preferred: string[]): Promise<string[]> {
  const present = await engine.listImageTags()
  const normal = (ref: string) => {
    const bare = ref.replace(/@sha256:.*$/, '')
    return /:[^/:]+$/.test(bare) ? bare : `${bare}:latest`
  }
  const small = present.filter((tag) => /(^|\/)(busybox|alpine|nicolaka\/netshoot)(:|$)/.test(tag))
  return [...new Set([...preferred.map(normal).filter((ref) => present.includes(ref)), ...small, ...present])]
}

/** An exec's output as text for messages. */
export function outputText(output: ExecOutput): string {
  return oneLine(`${output.stdout.toString()} ${output.stderr}`)
}
