import {createHash} from 'node:crypto'
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SSHConfig, {LineType, type Line} from 'ssh-config'

import {UsageError, oneLine} from '../core/errors.js'

/**
 * The settings OpenSSH would use for a destination, computed from ~/.ssh/config (or `-F FILE`)
 * with the `ssh-config` package. Only what swarmnet's SSH client acts on is resolved.
 */

/** Where to connect, as written in ssh://user@host:port (host may be a config alias). */
export interface SshDestination {
  host: string
  user?: string
  port?: number
}

export interface SshConfigOptions {
  /** Like `ssh -F`: an explicit file must exist; "none" reads no file. Default: SWARMNET_SSH_CONFIG, then ~/.ssh/config. */
  configPath?: string
  /** The user's home directory (tests pass a temp dir). Default: HOME from `env`, then os.homedir(). */
  home?: string
  env?: NodeJS.ProcessEnv
}

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no' | 'ask'

export interface ResolvedSshConfig {
  /** The host as given (an alias, or the real name); Host patterns match it case-sensitively, as in ssh. */
  alias: string
  /** The host to connect to (HostName, else the alias), lowercased as ssh does. */
  hostName: string
  user: string
  port: number
  /** Configured identity files (tokens and ~ expanded), or the default ones that exist. */
  identityFiles: string[]
  identitiesOnly: boolean
  /** The agent socket to use (IdentityAgent, else SSH_AUTH_SOCK); undefined for none. */
  agentSocket?: string
  userKnownHostsFiles: string[]
  globalKnownHostsFiles: string[]
  strictHostKeyChecking: StrictHostKeyChecking
  connectTimeoutMs?: number
  hostKeyAlias?: string
  /** Set when the config asks for a jump host or proxy command (swarmnet does not do them). */
  proxyJump?: string
  proxyCommand?: string
  /** The config file that was read, if any. */
  configFile?: string
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']
const MAX_INCLUDE_DEPTH = 16

type Computed = Record<string, string | string[]>

/** Resolves the effective settings for `destination`, like `ssh -G` does. Throws UsageError on bad config. */
export function resolveSshConfig(destination: string | SshDestination, options: SshConfigOptions = {}): ResolvedSshConfig {
  const dest = typeof destination === 'string' ? {host: destination} : destination
  const env = options.env ?? process.env
  const home = options.home ?? env.HOME ?? os.homedir()
  const localUser = localUserName(env)
  const alias = dest.host
  const configFile = pickConfigFile(options.configPath ?? env.SWARMNET_SSH_CONFIG, home)
  const computed = configFile ? computeFor(configFile, alias, dest.user, home, env) : {}
  const where = configFile ? ` in ${configFile}` : ''

  const hostName = expandHostName(first(computed.hostname) ?? alias, alias)
  const user = dest.user ?? first(computed.user) ?? localUser
  const port = dest.port ?? parsePort(first(computed.port), where) ?? 22
  const hostKeyAlias = first(computed.hostkeyalias)
  const tokens: TokenValues = {home, localUser, hostName, alias, user, port, hostKeyAlias}
  const expand = (value: string) => expandPath(value, tokens, env, where)

  const configured = list(computed.identityfile).filter((file) => file.toLowerCase() !== 'none').map(expand)
  const identityFiles = configured.length > 0 ? configured : DEFAULT_IDENTITIES.map((name) => path.join(home, '.ssh', name)).filter((file) => existsSync(file))
  const userKnownHosts = list(computed.userknownhostsfile).flatMap(splitWords).map(expand)
  const globalKnownHosts = list(computed.globalknownhostsfile).flatMap(splitWords).map(expand)

  return {
    alias,
    hostName,
    user,
    port,
    identityFiles,
    identitiesOnly: parseYesNo(first(computed.identitiesonly), 'IdentitiesOnly', where) ?? false,
    agentSocket: agentSocketFor(first(computed.identityagent), env, expand),
    userKnownHostsFiles: userKnownHosts.length > 0 ? userKnownHosts : [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')],
    globalKnownHostsFiles: globalKnownHosts.length > 0 ? globalKnownHosts : DEFAULT_GLOBAL_KNOWN_HOSTS,
    strictHostKeyChecking: parseStrict(first(computed.stricthostkeychecking), where),
    connectTimeoutMs: parseConnectTimeout(first(computed.connecttimeout), where),
    hostKeyAlias,
    proxyJump: notNone(first(computed.proxyjump)),
    proxyCommand: notNone(first(computed.proxycommand)),
    configFile,
  }
}

function localUserName(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username
  } catch {
    return env.USER ?? env.LOGNAME ?? 'root' // os.userInfo() throws for uids without a passwd entry
  }
}

/** The file to read: an explicit one must exist, the default one may be absent. */
function pickConfigFile(explicit: string | undefined, home: string): string | undefined {
  if (explicit !== undefined && explicit !== '') {
    if (explicit === 'none') return undefined
    const file = explicit.startsWith('~/') ? path.join(home, explicit.slice(2)) : explicit
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new UsageError(`ssh config file "${explicit}" (--ssh-config or SWARMNET_SSH_CONFIG) does not exist; expected an ssh_config file, or "none"`)
    }

    return file
  }

  const file = path.join(home, '.ssh', 'config')
  return existsSync(file) ? file : undefined
}

function computeFor(file: string, alias: string, user: string | undefined, home: string, env: NodeJS.ProcessEnv): Computed {
  const config = loadConfig(file, home, env, 0)
  // Match exec would run shell commands from the file: swarmnet does not (those blocks never match).
  const options = {ignoreCase: true, matchExec: false}
  return user === undefined ? config.compute(alias, options) : config.compute({Host: alias, User: user}, options)
}

function loadConfig(file: string, home: string, env: NodeJS.ProcessEnv, depth: number): SSHConfig {
  let config: SSHConfig
  try {
    config = SSHConfig.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`cannot read ssh config ${file}: ${oneLine(String((error as Error).message ?? error))}; expected a valid ssh_config file`)
  }

  return expandIncludes(config, home, env, depth)
}

/**
 * Replaces `Include` lines (which the ssh-config package leaves alone) with the files' lines.
 * Relative paths are relative to ~/.ssh; `*` and `?` are expanded. An Include inside a Host block
 * adds the file's leading directives to that block and its own Host blocks after it.
 */
function expandIncludes(config: SSHConfig, home: string, env: NodeJS.ProcessEnv, depth: number): SSHConfig {
  const result = new SSHConfig()
  const pendingSections: Line[] = []
  for (const line of config) {
    if (isInclude(line)) {
      result.push(...includedLines(line, home, env, depth))
      continue
    }

    if ('config' in line) {
      const inner = new SSHConfig()
      for (const sub of line.config) {
        if (!isInclude(sub)) {
          inner.push(sub)
          continue
        }

        for (const included of includedLines(sub, home, env, depth)) {
          if ('config' in included) pendingSections.push(included)
          else inner.push(included)
        }
      }

      line.config = inner
      result.push(line, ...pendingSections.splice(0))
      continue
    }

    result.push(line)
  }

  return result
}

function isInclude(line: Line): boolean {
  return line.type === LineType.DIRECTIVE && /^include$/i.test(line.param)
}

function includedLines(line: Line, home: string, env: NodeJS.ProcessEnv, depth: number): Line[] {
  if (depth >= MAX_INCLUDE_DEPTH) throw new UsageError(`ssh config Include nested more than ${MAX_INCLUDE_DEPTH} deep; expected no Include loop`)
  if (line.type !== LineType.DIRECTIVE) return []
  const patterns = typeof line.value === 'string' ? splitWords(line.value) : line.value.map((part) => part.val)
  const lines: Line[] = []
  for (const pattern of patterns) {
    const expanded = expandEnvVars(pattern.startsWith('~') ? home + pattern.slice(1) : pattern, env, '')
    const absolute = path.isAbsolute(expanded) ? expanded : path.join(home, '.ssh', expanded)
    for (const file of globFiles(absolute)) lines.push(...loadConfig(file, home, env, depth + 1))
  }

  return lines
}

/** Files matching a path whose segments may hold `*` and `?`, sorted like glob(3). */
function globFiles(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return existsSync(pattern) && statSync(pattern).isFile() ? [pattern] : []
  let candidates = ['/']
  for (const segment of pattern.split('/').filter(Boolean)) {
    const next: string[] = []
    for (const dir of candidates) {
      if (!/[*?]/.test(segment)) {
        next.push(path.join(dir, segment))
        continue
      }

      const matcher = new RegExp(`^${segment.replaceAll(/[.+^${}()|[\]\\]/g, String.raw`\$&`).replaceAll('*', '.*').replaceAll('?', '.')}$`)
      const names = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : []
      next.push(...names.filter((name) => !name.startsWith('.') && matcher.test(name)).map((name) => path.join(dir, name)))
    }

    candidates = next
  }

  return candidates.filter((file) => existsSync(file) && statSync(file).isFile())
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

function splitWords(value: string): string[] {
  return value.split(/\s+/).filter(Boolean)
}

function notNone(value: string | undefined): string | undefined {
  return value === undefined || value.toLowerCase() === 'none' ? undefined : value
}

/** HostName knows only %h (the name given) and %%. */
function expandHostName(value: string, alias: string): string {
  return value.replaceAll(/%([%h])/g, (_, token: string) => (token === '%' ? '%' : alias)).toLowerCase()
}

interface TokenValues {
  home: string
  localUser: string
  hostName: string
  alias: string
  user: string
  port: number
  hostKeyAlias?: string
}

/** ~ and the TOKENS of ssh_config(5) valid in IdentityFile, UserKnownHostsFile and IdentityAgent; ${VAR} too. */
function expandPath(value: string, tokens: TokenValues, env: NodeJS.ProcessEnv, where: string): string {
  const withHome = value === '~' || value.startsWith('~/') ? tokens.home + value.slice(1) : value
  const withTokens = withHome.replaceAll(/%(.?)/g, (_, token: string) => tokenValue(token, tokens, value, where))
  return expandEnvVars(withTokens, env, where)
}

function tokenValue(token: string, t: TokenValues, value: string, where: string): string {
  switch (token) {
    case '%': return '%'
    case 'd': return t.home
    case 'u': return t.localUser
    case 'h': return t.hostName
    case 'n': return t.alias
    case 'r': return t.user
    case 'p': return String(t.port)
    case 'k': return t.hostKeyAlias ?? t.alias
    case 'i': return String(process.getuid?.() ?? '')
    case 'l': return os.hostname()
    case 'L': return os.hostname().split('.')[0]
    case 'C': return createHash('sha1').update(`${os.hostname()}${t.hostName}${t.port}${t.user}`).digest('hex')
    default: throw new UsageError(`unknown token %${token} in "${value}"${where}; expected one of %% %C %d %h %i %k %L %l %n %p %r %u`)
  }
}

function expandEnvVars(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replaceAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const found = env[name]
    if (found === undefined) throw new UsageError(`environment variable ${name} used in "${value}"${where} is not set; expected it to be set`)
    return found
  })
}

function agentSocketFor(identityAgent: string | undefined, env: NodeJS.ProcessEnv, expand: (value: string) => string): string | undefined {
  if (identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK') return env.SSH_AUTH_SOCK || undefined
  if (identityAgent.toLowerCase() === 'none') return undefined
  if (identityAgent.startsWith('$')) return env[identityAgent.slice(1)] || undefined
  return expand(identityAgent)
}

function parsePort(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new UsageError(`invalid Port "${value}"${where}; expected a number from 1 to 65535`)
  return port
}

function parseYesNo(value: string | undefined, name: string, where: string): boolean | undefined {
  if (value === undefined) return undefined
  const word = value.toLowerCase()
  if (word === 'yes' || word === 'true') return true
  if (word === 'no' || word === 'false') return false
  throw new UsageError(`invalid ${name} "${value}"${where}; expected yes or no`)
}

function parseStrict(value: string | undefined, where: string): StrictHostKeyChecking {
  if (value === undefined) return 'ask'
  const word = value.toLowerCase()
  if (word === 'yes' || word === 'true') return 'yes'
  if (word === 'no' || word === 'false' || word === 'off') return 'no'
  if (word === 'accept-new') return 'accept-new'
  if (word === 'ask') return 'ask'
  throw new UsageError(`invalid StrictHostKeyChecking "${value}"${where}; expected yes, accept-new, no or ask`)
}

function parseConnectTimeout(value: string | undefined, where: string): number | undefined {
  if (value === undefined || value.toLowerCase() === 'none') return undefined
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid ConnectTimeout "${value}"${where}; expected a number of seconds`)
  const seconds = Number(value)
  return seconds > 0 ? seconds * 1000 : undefined
}
