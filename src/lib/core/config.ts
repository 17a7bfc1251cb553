import {existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UsageError} from './errors.js'
import {readJsonFile} from './json-file.js'
import {checkReadableFile} from './input.js'

/** How to reach one node's engine, when the defaults do not find it. */
export type NodeMapping = {host: string} | {context: string} | {machine: string}

/** swarmnet's own settings file. */
export interface SwarmnetConfig {
  /** Keyed by node hostname, id or address. */
  nodes: Record<string, NodeMapping>
}

type Env = NodeJS.ProcessEnv

/** $SWARMNET_CONFIG, else $XDG_CONFIG_HOME/swarmnet/config.json, else ~/.config/swarmnet/config.json. */
export function configPath(env: Env = process.env): string {
  if (env.SWARMNET_CONFIG) return env.SWARMNET_CONFIG
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config')
  return path.join(base, 'swarmnet', 'config.json')
}

export function loadConfig(env: Env = process.env): SwarmnetConfig {
  const file = configPath(env)
  if (env.SWARMNET_CONFIG) checkReadableFile(env.SWARMNET_CONFIG, 'SWARMNET_CONFIG', 'a readable swarmnet config file (JSON)', env.HOME || os.homedir())
  else if (!existsSync(file)) return {nodes: {}}

  const raw = readJsonFile(file)
  const nodes = (raw as {nodes?: unknown})?.nodes ?? {}
  if (typeof nodes !== 'object' || Array.isArray(nodes)) throw new UsageError(`${file}: "nodes" must be an object keyed by node name`)
  for (const [key, value] of Object.entries(nodes as Record<string, unknown>)) {
    const keys = value && typeof value === 'object' ? Object.keys(value) : []
    const valid = keys.length === 1 && ['host', 'context', 'machine'].includes(keys[0]) && typeof (value as Record<string, unknown>)[keys[0]] === 'string'
    if (!valid) throw new UsageError(`${file}: nodes."${key}" must be {"host": "..."}, {"context": "..."} or {"machine": "..."}`)
  }

  return {nodes: nodes as Record<string, NodeMapping>}
}
