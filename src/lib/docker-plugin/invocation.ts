import os from 'node:os'
import path from 'node:path'

import {UsageError} from '../core/errors.js'

/** The plugin's name: `docker swarmnet`, the executable docker-swarmnet. */
export const PLUGIN_NAME = 'swarmnet'

/** A swarmnet run, made from what docker ran the plugin with. */
export interface PluginInvocation {
  /** swarmnet's arguments: what followed `swarmnet`, then swarmnet's own flags for docker's -H and --context. */
  argv: string[]
  /** Variables to set (a string) or remove (undefined) before swarmnet runs. */
  env: Record<string, string | undefined>
}

type Env = NodeJS.ProcessEnv

/** docker's global options (docker/cli cli/flags/options.go), by every name pflag accepts. */
const VALUE_OPTIONS: Record<string, 'host' | 'context' | 'config' | 'log-level' | 'tlscacert' | 'tlscert' | 'tlskey'> = {
  '-H': 'host',
  '--host': 'host',
  '-c': 'context',
  '--context': 'context',
  '--config': 'config',
  '-l': 'log-level',
  '--log-level': 'log-level',
  '--tlscacert': 'tlscacert',
  '--tlscert': 'tlscert',
  '--tlskey': 'tlskey',
}
const BOOLEAN_OPTIONS: Record<string, 'debug' | 'tls' | 'tlsverify'> = {'-D': 'debug', '--debug': 'debug', '--tls': 'tls', '--tlsverify': 'tlsverify'}
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']
const EXPECTED = 'expected docker\'s global options (-H, --context, --config, --tls, --tlsverify, --tlscacert, --tlscert, --tlskey, -D, --log-level), then "swarmnet"'

interface DockerOptions {
  hosts: string[]
  context?: string
  config?: string
  'log-level'?: string
  tlscacert?: string
  tlscert?: string
  tlskey?: string
  debug?: boolean
  tls?: boolean
  tlsverify?: boolean
}

/**
 * Turns the plugin's arguments, `[docker's global options] swarmnet ARGS` as docker passes them,
 * into a swarmnet run with the same meaning: -H and --context become swarmnet's --host and --context;
 * --config, --tlsverify and the TLS files become DOCKER_CONFIG, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH,
 * which swarmnet reads as docker does; -D and --log-level debug turn on SWARMNET_DEBUG.
 */
export function pluginInvocation(argv: string[], env: Env = process.env, cwd = process.cwd()): PluginInvocation {
  const {options, rest} = parseDockerOptions(argv)
  const vars: Record<string, string | undefined> = {}
  const flags: string[] = []

  if (options.hosts.length > 1) throw new UsageError(`specify only one -H (docker's rule); got ${options.hosts.map((h) => `"${h}"`).join(' and ')}`)
  if (options.hosts.length === 1) flags.push('--host', options.hosts[0])
  if (options.context !== undefined) flags.push('--context', options.context)

  // The default cert path is DOCKER_CONFIG's (or ~/.docker), even under --config: docker reads it before its flags.
  const certPath = env.DOCKER_CERT_PATH || env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker')
  if (options.config !== undefined) {
    if (options.config === '') throw new UsageError('empty --config; expected the directory of docker\'s config.json and contexts')
    vars.DOCKER_CONFIG = path.resolve(cwd, options.config)
  }

  if (options['log-level'] !== undefined && !LOG_LEVELS.includes(options['log-level'].toLowerCase())) {
    throw new UsageError(`invalid --log-level "${options['log-level']}"; expected one of debug, info, warn, error, fatal`)
  }

  if (options.debug || options['log-level']?.toLowerCase() === 'debug' || options['log-level']?.toLowerCase() === 'trace') vars.SWARMNET_DEBUG = '1'

  Object.assign(vars, tlsVariables(options, env, certPath, cwd))
  // Nothing after `swarmnet`: swarmnet's own overview, which connects nowhere.
  if (rest.length === 0) return {argv: [], env: vars}
  // Flags go after the command words (oclif wants the command first), and before any `--`.
  const end = rest.includes('--') ? rest.indexOf('--') : rest.length
  return {argv: [...rest.slice(0, end), ...flags, ...rest.slice(end)], env: vars}
}

/**
 * docker's TLS rules (SetDefaultOptions): --tlsverify, given at all, or DOCKER_TLS_VERIFY turn TLS on,
 * as does --tls or DOCKER_TLS; the files default to ca.pem, cert.pem and key.pem under the cert path.
 * swarmnet verifies every TLS engine, and reads the three files from one directory (DOCKER_CERT_PATH).
 */
function tlsVariables(options: DockerOptions, env: Env, certPath: string, cwd: string): Record<string, string | undefined> {
  const verify = options.tlsverify ?? Boolean(env.DOCKER_TLS_VERIFY)
  const tls = options.tlsverify !== undefined || verify || (options.tls ?? Boolean(env.DOCKER_TLS))
  if (!tls) return env.DOCKER_TLS_VERIFY === undefined ? {} : {DOCKER_TLS_VERIFY: undefined}
  if (!verify) {
    // Only asked for on docker's command line: DOCKER_TLS alone stays what it was to swarmnet (unread).
    if (options.tls === undefined && options.tlsverify === undefined) return {}
    throw new UsageError(`${options.tlsverify === false ? '--tlsverify=false' : '--tls without --tlsverify'} asks for TLS without checking the engine's certificate, which swarmnet does not do; use --tlsverify (with --tlscacert)`)
  }

  const vars: Record<string, string | undefined> = {DOCKER_TLS_VERIFY: '1'}
  const given = (['tlscacert', 'tlscert', 'tlskey'] as const).filter((name) => options[name] !== undefined)
  if (given.length === 0) {
    vars.DOCKER_CERT_PATH = certPath
    return vars
  }

  const standard = {tlscacert: 'ca.pem', tlscert: 'cert.pem', tlskey: 'key.pem'}
  const dir = path.dirname(path.resolve(cwd, options[given[0]]!))
  for (const name of given) {
    const file = path.resolve(cwd, options[name]!)
    if (path.dirname(file) !== dir || path.basename(file) !== standard[name]) {
      throw new UsageError(`--${name} "${options[name]}": swarmnet reads ca.pem, cert.pem and key.pem from one directory, as with DOCKER_CERT_PATH; expected ${path.join(dir, standard[name])}`)
    }
  }

  vars.DOCKER_CERT_PATH = dir
  return vars
}

/** Reads docker's global options the way pflag does, up to the plugin's name. */
function parseDockerOptions(argv: string[]): {options: DockerOptions; rest: string[]} {
  const options: DockerOptions = {hosts: []}
  const setValue = (name: (typeof VALUE_OPTIONS)[string], value: string) => {
    if (name === 'host') options.hosts.push(value)
    else options[name] = value
  }

  let i = 0
  const valueAfter = (option: string): string => {
    if (i + 1 >= argv.length) throw new UsageError(`docker option ${option} needs a value; ${EXPECTED}`)
    i += 1
    return argv[i]
  }

  for (; i < argv.length && argv[i] !== PLUGIN_NAME; i++) {
    const token = argv[i]
    if (!token.startsWith('-') || token === '-' || token === '--') {
      throw new UsageError(`unexpected "${token}" before "${PLUGIN_NAME}"; ${EXPECTED}`)
    }

    if (token.startsWith('--')) {
      const eq = token.indexOf('=')
      const name = eq === -1 ? token : token.slice(0, eq)
      const inline = eq === -1 ? undefined : token.slice(eq + 1)
      if (name in BOOLEAN_OPTIONS) options[BOOLEAN_OPTIONS[name]] = inline === undefined ? true : parseBool(inline, name)
      else if (name in VALUE_OPTIONS) setValue(VALUE_OPTIONS[name], inline ?? valueAfter(name))
      else throw new UsageError(`unknown docker option "${name}"; ${EXPECTED}`)
      continue
    }

    // Shorthands, alone or grouped as pflag allows: -D, -Hunix:///x, -H=unix:///x, -Dc ctx.
    for (let k = 1; k < token.length; k++) {
      const option = `-${token[k]}`
      const after = token.slice(k + 1)
      if (option in BOOLEAN_OPTIONS) {
        if (after.startsWith('=')) {
          options[BOOLEAN_OPTIONS[option]] = parseBool(after.slice(1), option)
          break
        }

        options[BOOLEAN_OPTIONS[option]] = true
      } else if (option in VALUE_OPTIONS) {
        setValue(VALUE_OPTIONS[option], after.startsWith('=') ? after.slice(1) : after === '' ? valueAfter(option) : after)
        break
      } else {
        throw new UsageError(`unknown docker option "${option}" in "${token}"; ${EXPECTED}`)
      }
    }
  }

  if (i >= argv.length) {
    throw new UsageError(`docker-${PLUGIN_NAME} is a docker CLI plugin, run by docker as "docker ${PLUGIN_NAME} COMMAND"; no "${PLUGIN_NAME}" in its arguments (run swarmnet itself for swarmnet)`)
  }

  return {options, rest: argv.slice(i + 1)}
}

/** Go's strconv.ParseBool, which pflag uses for --tls=VALUE. */
function parseBool(value: string, option: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  throw new UsageError(`invalid ${option} value "${value}"; expected true or false`)
}
