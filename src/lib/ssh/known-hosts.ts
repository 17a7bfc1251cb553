import {createHash, createHmac, randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {appendFile, mkdir, readFile} from 'node:fs/promises'
import path from 'node:path'

/**
 * known_hosts as OpenSSH reads and writes it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): host lists
 * with wildcards and negation, `[host]:port` for other ports, hashed `|1|salt|hmac` names,
 * `@revoked` keys. `@cert-authority` lines are skipped: swarmnet does not do host certificates.
 */

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  file: string
  /** 1-based, for messages like "~/.ssh/known_hosts:12". */
  line: number
  revoked: boolean
  /** The host field as written: "a,b,[c]:2222" or "|1|salt|hash". */
  hosts: string
  keyType: string
  keyBlob: Buffer
}

/** Where a host key is looked up: its host name (or HostKeyAlias) and port (22 adds no brackets). */
export interface HostKeyLookup {
  host: string
  port?: number
}

export type HostKeyVerdict =
  | {status: 'match'; file: string; line: number}
  | {status: 'unknown'}
  | {status: 'changed'; file: string; line: number; knownKeyType: string}
  | {status: 'revoked'; file: string; line: number}

const HASH_MAGIC = '|1|'

/** The name a host is recorded under: "host" on port 22, "[host]:port" otherwise; lowercase like OpenSSH. */
export function knownHostsName({host, port}: HostKeyLookup): string {
  const name = host.toLowerCase()
  return port === undefined || port === 22 ? name : `[${name}]:${port}`
}

/** Parses one file's text; lines that are not valid entries are skipped, as ssh does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  const lines = text.split('\n')
  for (const [index, raw] of lines.entries()) {
    const entry = parseLine(raw, file, index + 1)
    if (entry) entries.push(entry)
  }

  return entries
}

function parseLine(raw: string, file: string, line: number): KnownHostEntry | undefined {
  const fields = raw.trim().split(/\s+/)
  if (fields[0] === '' || fields[0].startsWith('#')) return undefined
  let revoked = false
  if (fields[0].startsWith('@')) {
    if (fields[0] !== '@revoked') return undefined // @cert-authority and unknown markers
    revoked = true
    fields.shift()
  }

  const [hosts, keyType, base64] = fields
  if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return undefined
  const keyBlob = Buffer.from(base64, 'base64')
  // The blob names its own type; a line whose two types disagree is corrupt (or an SSH1 key).
  if (keyTypeOf(keyBlob) !== keyType) return undefined
  return {file, line, revoked, hosts, keyType, keyBlob}
}

/** The key type an SSH public key blob starts with ("ssh-ed25519", ...), or "" if it is not a blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return ''
  const length = blob.readUInt32BE(0)
  if (length === 0 || length > 64 || blob.length < 4 + length) return ''
  return blob.subarray(4, 4 + length).toString('latin1')
}

/** OpenSSH's fingerprint: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** A host name hashed the way `ssh-keyscan -H` / HashKnownHosts write it. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest()
  return `${HASH_MAGIC}${salt.toString('base64')}|${hash.toString('base64')}`
}

/**
 * Does a host field cover `name` ("host" or "[host]:port")? OpenSSH's match_hostname: any negated
 * pattern that matches rules the line out; otherwise one positive match is enough.
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  const wanted = name.toLowerCase()
  let matched = false
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith(HASH_MAGIC)) {
      if (hashedMatches(pattern, wanted)) matched = true
      continue
    }

    const negated = pattern.startsWith('!')
    const body = (negated ? pattern.slice(1) : pattern).toLowerCase()
    if (!wildcardMatches(body, wanted)) continue
    if (negated) return false
    matched = true
  }

  return matched
}

function hashedMatches(pattern: string, name: string): boolean {
  const [salt, hash] = pattern.slice(HASH_MAGIC.length).split('|')
  if (!salt || !hash) return false
  const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
  return expected === hash
}

/** `*` is any run of characters, `?` exactly one; everything else is literal (brackets too). */
function wildcardMatches(pattern: string, text: string): boolean {
  const escaped = pattern.replaceAll(/[.+^${}()|[\]\\]/g, String.raw`\$&`)
  const source = escaped.replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${source}$`, 's').test(text)
}

/**
 * The verdict for a key a server showed. A revoked key is refused wherever it is listed; a key
 * listed for the host matches (even if another file has a different key of that type, as in ssh);
 * a different key of the same type is a change; anything else is unknown.
 */
export function checkHostKey(entries: KnownHostEntry[], lookup: HostKeyLookup, keyType: string, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(lookup)
  const forHost = entries.filter((entry) => hostFieldMatches(entry.hosts, name))
  const revoked = forHost.find((entry) => entry.revoked && entry.keyBlob.equals(keyBlob))
  if (revoked) return {status: 'revoked', file: revoked.file, line: revoked.line}
  const valid = forHost.filter((entry) => !entry.revoked)
  const same = valid.find((entry) => entry.keyBlob.equals(keyBlob))
  if (same) return {status: 'match', file: same.file, line: same.line}
  const conflict = valid.find((entry) => entry.keyType === keyType)
  if (conflict) return {status: 'changed', file: conflict.file, line: conflict.line, knownKeyType: conflict.keyType}
  return {status: 'unknown'}
}

/** The key types already trusted for a host, so the client can ask the server for those first. */
export function knownKeyTypes(entries: KnownHostEntry[], lookup: HostKeyLookup): string[] {
  const name = knownHostsName(lookup)
  const types = entries.filter((entry) => !entry.revoked && hostFieldMatches(entry.hosts, name)).map((entry) => entry.keyType)
  return [...new Set(types)]
}

/** Reads every file that exists; a missing file is simply empty, as in ssh. */
export function readKnownHostsFiles(files: string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  for (const file of files) {
    if (!existsSync(file)) continue
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue // unreadable (a directory, no permission): ssh ignores it too
    }

    entries.push(...parseKnownHosts(text, file))
  }

  return entries
}

/**
 * Appends a hashed entry, like `ssh-keyscan -H HOST >> FILE`. Creates the directory (0700) and
 * the file (0600) when missing, and starts on a new line if the file lacks a final newline.
 */
export async function appendKnownHost(file: string, lookup: HostKeyLookup, keyBlob: Buffer): Promise<string> {
  const keyType = keyTypeOf(keyBlob)
  const line = `${hashHostName(knownHostsName(lookup))} ${keyType} ${keyBlob.toString('base64')}\n`
  await mkdir(path.dirname(file), {recursive: true, mode: 0o700})
  const existing = existsSync(file) ? await readFile(file) : Buffer.alloc(0)
  const prefix = existing.length > 0 && existing.at(-1) !== 0x0a ? '\n' : ''
  await appendFile(file, prefix + line, {mode: 0o600})
  return line.trimEnd()
}
