import {chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {SwarmnetError, UsageError} from '../core/errors.js'
import {PLUGIN_NAME} from './invocation.js'

/** The line that marks a docker-swarmnet as swarmnet's own: install replaces it, uninstall removes it. */
export const MARKER = '# swarmnet-docker-plugin: written by `swarmnet docker-plugin install`'

/** The file docker looks for, and what it runs. */
export interface PluginTarget {
  /** The docker client config directory whose cli-plugins/ holds the plugin. */
  configDir: string
  /** Its cli-plugins/docker-swarmnet. */
  file: string
}

/** `$DOCKER_CONFIG/cli-plugins/docker-swarmnet` (else ~/.docker), or under the directory given. */
export function pluginTarget(configDir: string | undefined, env: NodeJS.ProcessEnv = process.env): PluginTarget {
  if (configDir === '') throw new UsageError('empty --config-dir; expected the docker client config directory (like DOCKER_CONFIG)')
  const dir = path.resolve(configDir ?? (env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker')))
  return {configDir: dir, file: path.join(dir, 'cli-plugins', `docker-${PLUGIN_NAME}`)}
}

/**
 * The executable docker runs: this installation's node and plugin entry, by absolute path, so it runs
 * whichever swarmnet installed it (a checkout, or the copy npm install -g made) whatever PATH says.
 */
export function pluginScript(node: string, entry: string): string {
  return [
    '#!/bin/sh',
    MARKER,
    '# The docker CLI plugin for swarmnet (docker swarmnet ...): runs the swarmnet it names below.',
    '# `swarmnet docker-plugin uninstall` removes this file; install writes it again.',
    `exec ${shellQuote(node)} ${shellQuote(entry)} "$@"`,
    '',
  ].join('\n')
}

export type InstallAction = 'installed' | 'updated' | 'unchanged' | 'replaced'

/**
 * Writes the plugin. Over a docker-swarmnet swarmnet did not write (no marker): refused, unless `force`.
 * Written to a temporary name and renamed, so docker never runs half a file.
 */
export function installPlugin(target: PluginTarget, script: string, options: {force?: boolean} = {}): InstallAction {
  const existing = readExisting(target.file)
  if (existing.kind === 'foreign' && !options.force) {
    throw new SwarmnetError(`${target.file} exists and was not written by swarmnet (${existing.why}); not replaced: move it away, or give --force to replace it`)
  }

  if (existing.kind === 'ours' && existing.text === script) return 'unchanged'
  mkdirSync(path.dirname(target.file), {recursive: true})
  const temp = `${target.file}.swarmnet-${process.pid}`
  try {
    writeFileSync(temp, script, {mode: 0o755})
    chmodSync(temp, 0o755) // whatever the umask
    renameSync(temp, target.file)
  } catch (error) {
    rmSync(temp, {force: true})
    throw new SwarmnetError(`cannot write ${target.file}: ${(error as Error).message}`)
  }

  return existing.kind === 'none' ? 'installed' : existing.kind === 'ours' ? 'updated' : 'replaced'
}

/** Removes the plugin if swarmnet wrote it; a file it did not write is left and named. False: none there. */
export function uninstallPlugin(target: PluginTarget): boolean {
  const existing = readExisting(target.file)
  if (existing.kind === 'none') return false
  if (existing.kind === 'foreign') throw new SwarmnetError(`${target.file} was not written by swarmnet (${existing.why}); left in place`)
  try {
    rmSync(target.file)
  } catch (error) {
    throw new SwarmnetError(`cannot remove ${target.file}: ${(error as Error).message}`)
  }

  return true
}

type Existing = {kind: 'none'} | {kind: 'ours'; text: string} | {kind: 'foreign'; why: string}

function readExisting(file: string): Existing {
  let stat
  try {
    stat = lstatSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'none'}
    throw new SwarmnetError(`cannot read ${file}: ${(error as Error).message}`)
  }

  if (stat.isSymbolicLink()) return {kind: 'foreign', why: 'a symbolic link'}
  if (!stat.isFile()) return {kind: 'foreign', why: 'not a regular file'}
  // Ours is a few hundred bytes; a compiled plugin is megabytes and need not be read whole.
  if (stat.size > 64 * 1024) return {kind: 'foreign', why: `${stat.size} bytes, no swarmnet marker`}
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new SwarmnetError(`cannot read ${file}: ${(error as Error).message}`)
  }

  return text.split('\n')[1] === MARKER ? {kind: 'ours', text} : {kind: 'foreign', why: 'no swarmnet marker'}
}

/** Single quotes for sh: the path as it is, spaces and all. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** What `swarmnet docker-plugin install` did. */
export interface InstallResult {
  action: InstallAction
  file: string
  /** The node and entry the plugin runs. */
  runs: {node: string; entry: string}
  /** Its answer to docker's metadata call, run just now: proof docker can run it. */
  metadata: Record<string, unknown>
}

/**
 * Installs the plugin for the swarmnet installed at `root` (realpath: a global install's symlinks
 * resolved), run by `node`, then runs it as docker would for its metadata.
 */
export async function installForThisSwarmnet(target: PluginTarget, root: string, node: string, options: {force?: boolean} = {}): Promise<InstallResult> {
  const {existsSync, realpathSync} = await import('node:fs')
  const entry = path.join(realpathSync(root), 'bin', `docker-${PLUGIN_NAME}.js`)
  for (const needed of [entry, path.join(realpathSync(root), 'dist', 'docker-plugin.cjs')]) {
    if (!existsSync(needed)) throw new SwarmnetError(`this swarmnet has no ${needed} (a checkout not built? run npm run build); nothing installed`)
  }

  const action = installPlugin(target, pluginScript(node, entry), options)
  const metadata = await runMetadata(target.file)
  return {action, file: target.file, runs: {node, entry}, metadata}
}

async function runMetadata(file: string): Promise<Record<string, unknown>> {
  const {execFile} = await import('node:child_process')
  const output = await new Promise<string>((resolve, reject) => {
    execFile(file, ['docker-cli-plugin-metadata'], {timeout: 30_000}, (error, stdout, stderr) => {
      if (error) reject(new SwarmnetError(`${file} was written but does not run: ${stderr.trim() || error.message}`))
      else resolve(stdout)
    })
  })
  try {
    const metadata = JSON.parse(output)
    if (metadata.SchemaVersion !== '0.1.0') throw new Error(`SchemaVersion ${JSON.stringify(metadata.SchemaVersion)}`)
    return metadata
  } catch (error) {
    throw new SwarmnetError(`${file} was written but its metadata is not what docker expects (${(error as Error).message})`)
  }
}
