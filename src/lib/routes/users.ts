import {UsageError} from '../errors.js'

/** crypt(3) hashes HAProxy accepts as they are (MD5, SHA-256, SHA-512, bcrypt, yescrypt). */
const HASHED = /^\$(1|5|6|2[aby]|y)\$/

/**
 * `--users admin:secret,bob:$6$...`: plain passwords are hashed here with SHA-512 crypt, so neither
 * the proxy's answers, its config?type=json, its haproxy.cfg nor the service's labels ever hold them.
 */
export async function hashUsers(text: string): Promise<string> {
  const pairs = text.split(',').map((pair) => pair.trim())
  for (const pair of pairs) {
    const colon = pair.indexOf(':')
    if (colon <= 0 || colon === pair.length - 1 || /\s/.test(pair)) {
      throw new UsageError(`invalid --users entry "${pair.slice(0, Math.max(colon, 0)) || pair.split(':')[0]}:***": expected USER:PASSWORD pairs separated by ",", without spaces`)
    }
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
