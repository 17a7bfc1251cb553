import {closeSync, openSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UsageError} from './errors.js'

/**
 * Every value a command takes from its user, parsed once before anything connects or changes, each
 * failing with one line of the shape `invalid ORIGIN "value": expected ...` (exit 2). ORIGIN is the
 * flag (`--port`), the argument (`SERVICE`) or the environment variable the value came from.
 */

/** The one shape of a bad value. */
export function invalid(origin: string, value: string, expected: string): UsageError {
  return new UsageError(`invalid ${origin} "${value}": expected ${expected}`)
}

/**
 * How a number may be typed. Digits only: no sign, exponent or hex. Spaces around it are refused,
 * except where `trim` says the value is one item of a list the command trims anyway (route add), or was always read trimmed (lab up).
 */
interface NumberRules {
  trim?: boolean
}

function digits(value: string, rules: NumberRules): number {
  const text = rules.trim ? value.trim() : value
  return /^\d+$/.test(text) ? Number(text) : Number.NaN
}

/** A whole number typed as a flag's value, within [min, max]. */
export function parseWholeNumber(value: string, origin: string, min: number, max: number, rules: NumberRules = {}): number {
  const n = digits(value, rules)
  if (!(n >= min && n <= max)) throw invalid(origin, value, `a whole number from ${min} to ${max}`)
  return n
}

/** A TCP/UDP port, 1 to 65535. */
export function parsePort(value: string, origin: string, rules: NumberRules = {}): number {
  const port = digits(value, rules)
  if (!(port >= 1 && port <= 65_535)) throw invalid(origin, value, 'a port number from 1 to 65535')
  return port
}

const DURATION_UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000}

/** "10s", "500ms", "2m" or a bare number of seconds, to milliseconds (at most an hour). */
export function parseDuration(text: string, origin: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const ms = match ? Number(match[1]) * DURATION_UNITS[match[2] ?? 's'] : Number.NaN
  if (!match || ms <= 0 || ms > 3_600_000) throw invalid(origin, text, 'a duration like 10s, 500ms or 2m (at most 60m)')
  return Math.round(ms)
}

/** Characters that cannot stand in a request path as typed (a query string may follow the path). */
const UNSAFE_IN_PATH = /[\s"'\\#\u0000-\u001F\u007F]/ // eslint-disable-line no-control-regex -- control characters are what it rejects

/** A URL path a request is made to: starts with "/", nothing that would need escaping. */
export function checkUrlPath(value: string, origin: string): string {
  if (!value.startsWith('/') || UNSAFE_IN_PATH.test(value)) {
    throw invalid(origin, value, 'a path starting with "/", without spaces, quotes, backslashes or "#", e.g. /demo/hello')
  }

  return value
}

/** Docker's names for services and networks: a letter or digit, then letters, digits, "_", "." or "-". */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

/** A name Docker accepts for a service or network; `expected` says which, as the message reads. */
export function checkDockerName(value: string, origin: string, expected: string): string {
  if (!DOCKER_NAME.test(value)) throw invalid(origin, value, expected)
  return value
}

/** A service to create or route to, by name. */
export function checkServiceName(value: string, origin = 'SERVICE'): string {
  return checkDockerName(value, origin, 'a service name (letters, digits, "_", "." or "-")')
}

/** A service to look at, by name or id (an id is letters and digits, so the same rule holds). */
export function checkServiceRef(value: string): string {
  return checkDockerName(value, 'SERVICE', 'a service name or id')
}

/** A network to attach to, by name. */
export function checkNetworkName(value: string, origin: string): string {
  return checkDockerName(value, origin, 'a network name (letters, digits, "_", "." or "-")')
}

/**
 * KEY=VALUE (the value may hold "=" and be empty). `key` is what a key may be; `shown` is how the
 * value is named in the message (e.g. only its key, when the value may be a secret).
 */
export function parseKeyValue(pair: string, origin: string, options: {key?: RegExp; shown?: string; expected?: string} = {}): [key: string, value: string] {
  const eq = pair.indexOf('=')
  const key = eq > 0 ? pair.slice(0, eq) : ''
  if (!(options.key ?? /^[\s\S]+$/).test(key)) throw invalid(origin, options.shown ?? pair, options.expected ?? 'KEY=VALUE')
  return [key, pair.slice(eq + 1)]
}

/**
 * A file the user named must exist, be a regular file and be readable now, not when the first node
 * is reached: `invalid ORIGIN "value": expected WHAT (no such file)`. `~/` is the home directory.
 */
export function checkReadableFile(value: string, origin: string, what: string, home = os.homedir()): string {
  const file = value.startsWith('~/') ? path.join(home, value.slice(2)) : value
  const fail = (why: string) => invalid(origin, value, `${what} (${why})`)
  if (value === '') throw fail('empty')
  let isFile: boolean
  try {
    isFile = statSync(file).isFile()
  } catch (error) {
    throw fail(describeFsError(error))
  }

  if (!isFile) throw fail('not a regular file')
  try {
    closeSync(openSync(file, 'r'))
  } catch (error) {
    throw fail(describeFsError(error))
  }

  return file
}

/** The SSH config (--ssh-config or SWARMNET_SSH_CONFIG): "none" (like ssh -F none) reads no file. */
export function checkSshConfigFile(value: string | undefined, origin: string, home?: string): void {
  if (value === undefined || value === 'none') return
  checkReadableFile(value, origin, 'a readable ssh_config file, or "none"', home)
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOTDIR') return 'a part of the path is not a directory'
  if (code === 'EISDIR') return 'not a regular file'
  return (error as Error).message
}
