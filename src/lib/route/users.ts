import {UsageError} from '../core/errors.js'

/** crypt(3) hashes the proxy's HAProxy checks (its image's musl libc knows MD5, SHA-256, SHA-512 and bcrypt). */
const HASHED = /^\$(1|5|6|2[aby])\$/

/**
 * `--users admin:secret,bob:$6$...`: plain passwords are hashed here with SHA-512 crypt, so neither
 * the proxy's answers, its config?type=json, its haproxy.cfg nor the service's labels ever hold them.
 */
export async function hashUsers(text: string): Promise<string> {
  const pairs = text.split(',').map((pair) => pair.trim())
  for (const [i, pair] of pairs.entries()) {
    const colon = pair.indexOf(':')
    // Named by position: an entry without ":" may be all password.
    if (colon <= 0 || colon === pair.length - 1 || /\s/.test(pair)) throw new UsageError(`invalid --users entry ${i + 1} of ${pairs.length}: expected USER:PASSWORD pairs separated by ",", without spaces`)
    if (pair.slice(colon + 1).startsWith('$y$')) throw new UsageError(`invalid --users entry ${i + 1} of ${pairs.length}: the proxy's HAProxy cannot check yescrypt ($y$) hashes; give a plain password or a $6$ hash`)
  }

  const {encrypt} = await import('unixcrypt')
  return pairs
    .map((pair) => {
      const user = pair.slice(0, pair.indexOf(':'))
      const password = pair.slice(pair.indexOf(':') + 1)
      return `${user}:${HASHED.test(password) ? password : encrypt(password)}`
    })
    .join(',')
}

/** "admin:***,bob:***": what may be shown of a users value. */
export function maskUsers(text: string): string {
  return text
    .split(',')
    .map((pair) => `${pair.split(':')[0]}:***`)
    .join(',')
}

/** Route parameters as they may be shown: the users' hashes masked. */
export function shown(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'users' ? maskUsers(v) : v]))
}
