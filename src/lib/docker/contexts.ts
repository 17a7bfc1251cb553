import {existsSync, readdirSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {SwarmnetError, UsageError} from '../core/errors.js'
import {readJsonFile} from '../core/json-file.js'
import {type Endpoint, parseDockerHost} from './endpoint.js'
import {readTlsDir} from './tls.js'

/** A Docker context as the docker CLI stores it (~/.docker/contexts). */
export interface DockerContext {
  name: string
  description: string
  host: string
  skipTlsVerify: boolean
  /** contexts/tls/<id>/docker, when the context has TLS material. */
  tlsDir?: string
}

type Env = NodeJS.ProcessEnv

/** $DOCKER_CONFIG, else ~/.docker: where config.json, contexts/ and default certs live. */
export function dockerConfigDir(env: Env = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker')
}

/** `currentContext` from config.json, if any. A malformed config.json is an error naming it. */
export function currentContextName(env: Env = process.env): string | undefined {
  const file = path.join(dockerConfigDir(env), 'config.json')
  if (!existsSync(file)) return undefined
  const config = readJsonFile(file) as {currentContext?: unknown}
  return typeof config.currentContext === 'string' && config.currentContext !== '' ? config.currentContext : undefined
}

/** The store's directory name for a context: the hex sha256 of its name (docker/cli contextdirOf). */
export function contextId(name: string): string {
  // node:crypto loads here, when a context is looked up, not for every command that resolves an engine.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex')
}

export function listContexts(env: Env = process.env): DockerContext[] {
  const metaRoot = path.join(dockerConfigDir(env), 'contexts', 'meta')
  if (!existsSync(metaRoot)) return []
  return readdirSync(metaRoot)
    .filter((id) => existsSync(path.join(metaRoot, id, 'meta.json')))
    .map((id) => parseMeta(path.join(metaRoot, id, 'meta.json'), env))
    .sort((a, b) => a.name.localeCompare(b.name))
}

function metaFile(name: string, env: Env): string {
  return path.join(dockerConfigDir(env), 'contexts', 'meta', contextId(name), 'meta.json')
}

/** Reads one context; an unknown name is a usage error that lists the known ones. */
export function readContext(name: string, env: Env = process.env): DockerContext {
  const file = metaFile(name, env)
  if (!existsSync(file)) {
    const known = listContexts(env).map((c) => c.name)
    const list = known.length > 0 ? `known contexts: default, ${known.join(', ')}` : 'the only context is "default"'
    throw new UsageError(`unknown Docker context "${name}" in ${dockerConfigDir(env)}; ${list}`)
  }

  return parseMeta(file, env)
}

/** Whether a context of that name exists, without reading it. */
export function hasContext(name: string, env: Env = process.env): boolean {
  return existsSync(metaFile(name, env))
}

export function contextEndpoint(context: DockerContext): Endpoint {
  const origin = `Docker context "${context.name}"`
  if (!context.host) throw new UsageError(`${origin} has no docker endpoint host`)
  const needsTls = context.host.startsWith('tcp://') || !context.host.includes('://')
  const tls = needsTls && context.tlsDir
    ? readTlsDir(context.tlsDir, {verify: !context.skipTlsVerify, origin})
    : undefined
  return parseDockerHost(context.host, origin, tls)
}

function parseMeta(file: string, env: Env): DockerContext {
  const meta = readJsonFile(file) as Record<string, unknown>
  const pick = (obj: unknown, key: string): unknown => {
    if (!obj || typeof obj !== 'object') return undefined
    const rec = obj as Record<string, unknown>
    return rec[key] ?? rec[key.toLowerCase()] ?? rec[key[0].toLowerCase() + key.slice(1)]
  }

  const name = String(pick(meta, 'Name') ?? '')
  if (!name) throw new SwarmnetError(`Docker context file ${file} has no Name`)
  const docker = pick(pick(meta, 'Endpoints'), 'docker')
  const tlsDir = path.join(dockerConfigDir(env), 'contexts', 'tls', contextId(name), 'docker')
  return {
    name,
    description: String(pick(pick(meta, 'Metadata'), 'Description') ?? ''),
    host: String(pick(docker, 'Host') ?? ''),
    skipTlsVerify: pick(docker, 'SkipTLSVerify') === true,
    tlsDir: existsSync(tlsDir) ? tlsDir : undefined,
  }
}
