import {closeSync, openSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UsageError} from './errors.js'

/**
 * Checks every command makes on its input before anything connects or changes, each failing with
 * one line of the shape `invalid --flag "value": expected ...` (exit 2).
 */

/** Characters that cannot stand in a request path as typed (a query string may follow the path). */
const UNSAFE_IN_PATH = /[\s"'\\#\u0000-\u001F\u007F]/ // eslint-disable-line no-control-regex -- control characters are what it rejects

/** A URL path a request is made to: starts with "/", nothing that would need escaping. */
export function checkUrlPath(value: string, origin: string): string {
  if (!value.startsWith('/') || UNSAFE_IN_PATH.test(value)) {
    throw new UsageError(`invalid ${origin} "${value}": expected a path starting with "/", without spaces, quotes, backslashes or "#", e.g. /demo/hello`)
  }

  return value
}

/** Where a value came from, for messages: `--flag` when typed, the variable when read from the environment. */
export function originOf(argv: string[], flag: string, variable: string): string {
  return givenOnCommandLine(argv, flag) ? `--${flag}` : variable
}

/** Whether --flag (or --flag=...) was typed; oclif fills a flag from its env variable too. */
export function givenOnCommandLine(argv: string[], flag: string, char?: string): boolean {
  return argv.some((token) => token === `--${flag}` || token.startsWith(`--${flag}=`) || (char !== undefined && (token === `-${char}` || (token.startsWith(`-${char}`) && !token.startsWith('--')))))
}

/**
 * A file the user named must exist, be a regular file and be readable now, not when the first node
 * is reached: `invalid ORIGIN "value": expected WHAT (no such file)`. `~/` is the home directory.
 */
export function checkReadableFile(value: string, origin: string, what: string, home = os.homedir()): string {
  const file = value.startsWith('~/') ? path.join(home, value.slice(2)) : value
  const fail = (why: string) => new UsageError(`invalid ${origin} "${value}": expected ${what} (${why})`)
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

/** Flags that work only together with another: each needs its partner, or is a usage error. */
export function checkFlagNeeds(given: Record<string, boolean>, needs: Record<string, string>): void {
  for (const [flag, partner] of Object.entries(needs)) {
    if (given[flag] && !given[partner]) throw new UsageError(`--${flag} goes with --${partner}; without it, --${flag} would do nothing`)
  }
}

/** Flags that cannot be given together. */
export function checkExclusive(given: Record<string, boolean>, pairs: [string, string, string][]): void {
  for (const [a, b, why] of pairs) {
    if (given[a] && given[b]) throw new UsageError(`--${a} does not go with --${b}: ${why}`)
  }
}

/** A whole number typed as a flag's value, within [min, max]. */
export function parseWholeNumber(value: string, origin: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!(n >= min && n <= max)) throw new UsageError(`invalid ${origin} "${value}": expected a whole number from ${min} to ${max}`)
  return n
}
