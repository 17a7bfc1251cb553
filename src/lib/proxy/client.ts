import {oneLine} from '../core/errors.js'
import type {HttpAnswer} from './http.js'
import {type ReplicaApi, whenReachable} from './replicas.js'

const API = '/v1/docker-flow-proxy'

/** How long the proxy may take to answer a change: the real one retries a refused config ~20 times, 1 s apart. */
export const CHANGE_TIMEOUT_MS = 90_000

/** ok: done. refused: the proxy said the request is wrong (400/409). failed: it could not do it (500, other). */
export type Outcome = 'ok' | 'refused' | 'failed'

export interface ProxyAnswer {
  status: number
  outcome: Outcome
  /** The proxy's Message, secrets masked, one line. */
  message: string
  body?: Record<string, unknown>
}

/** A route as a replica holds it in memory (`config?type=json`), in the proxy's own field names. */
export type LiveService = Record<string, unknown> & {ServiceName?: string; AclName?: string; ServiceDest?: Record<string, unknown>[] | null}

/**
 * Reads a docker-flow-proxy answer the way the real proxy must be read: the HTTP status decides
 * (its reload answers 500 with Status "OK"), and the body is JSON whatever the Content-Type says
 * (reconfigure sends JSON as text/plain; an unknown path is a 404 with a plain-text body).
 */
export function interpret(answer: HttpAnswer, path: string): ProxyAnswer {
  let body: Record<string, unknown> | undefined
  try {
    const parsed = JSON.parse(answer.body)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed
  } catch {}

  const said = typeof body?.Message === 'string' ? body.Message : body ? '' : answer.body
  const message = summarize(maskSecrets(said))
  if (answer.status === 200) return {status: 200, outcome: 'ok', message, body}
  if (answer.status === 400 || answer.status === 409) return {status: answer.status, outcome: 'refused', message: message || `HTTP ${answer.status}`, body}
  if (answer.status === 404 && !body) return {status: 404, outcome: 'failed', message: `not a docker-flow-proxy API (404 for ${path.split('?')[0]})`}
  return {status: answer.status, outcome: 'failed', message: message ? `HTTP ${answer.status}: ${message}` : `HTTP ${answer.status}`, body}
}

/**
 * The proxy's failure messages carry HAProxy's alerts and then the whole file: keep the alerts,
 * without HAProxy's stamp ("324/101512 (31) :", date and pid), which differs per replica and would
 * split one refusal on three replicas into three causes.
 */
function summarize(message: string): string {
  const lines = message.split('\n').map((l) => l.trim().replace(/^(\[(?:ALERT|WARNING|NOTICE)\])\s+(?:\d+\/\d+\s+)?\(\d+\)\s*:/, '$1'))
    .filter(Boolean)
  const alerts = lines.filter((l) => /^\[(ALERT|WARNING)\]/.test(l))
  const head = lines[0] ?? ''
  const text = alerts.length > 0 && !alerts.includes(head) ? [head, ...alerts.slice(0, 3)].join(' ') : lines.slice(0, 4).join(' ')
  const short = oneLine(text)
  return short.length > 400 ? `${short.slice(0, 397)}...` : short
}

/** Passwords never reach the terminal: the proxy echoes users back, and its config holds them. */
export function maskSecrets(text: string): string {
  return text
    .replaceAll(/("Password"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"***"')
    .replaceAll(/\b((?:insecure-)?password)\s+\S+/g, '$1 ***')
    .replaceAll(/\b(users(?:\.\d+)?\s*=\s*)[^&\s"]*/gi, '$1***')
}

export function query(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
}

export async function reconfigure(api: ReplicaApi, params: [string, string][], connectWaitMs: number): Promise<ProxyAnswer> {
  return call(api, `${API}/reconfigure?${query(params)}`, CHANGE_TIMEOUT_MS, connectWaitMs)
}

/** One API call: retried while the replica cannot be connected to (nothing sent yet), then read. */
async function call(api: ReplicaApi, path: string, timeoutMs: number, connectWaitMs: number): Promise<ProxyAnswer> {
  return interpret(await whenReachable(() => api.get(path, timeoutMs), connectWaitMs), path)
}

export async function removeService(api: ReplicaApi, service: string, aclName: string | undefined, connectWaitMs: number): Promise<ProxyAnswer> {
  const params: [string, string][] = [['serviceName', service], ...(aclName && aclName !== service ? [['aclName', aclName] as [string, string]] : [])]
  return call(api, `${API}/remove?${query(params)}`, CHANGE_TIMEOUT_MS, connectWaitMs)
}

/** The routes a replica holds (config?type=json), keyed by service name. */
export async function liveServices(api: ReplicaApi, timeoutMs: number, connectWaitMs = 0): Promise<Record<string, LiveService>> {
  const parsed = await call(api, `${API}/config?type=json`, timeoutMs, connectWaitMs)
  if (parsed.outcome !== 'ok' || !parsed.body) throw new Error(parsed.outcome === 'ok' ? 'config?type=json did not answer a JSON object' : `config?type=json: ${parsed.message}`)
  return parsed.body as Record<string, LiveService>
}

export async function ping(api: ReplicaApi, timeoutMs: number): Promise<ProxyAnswer> {
  return call(api, `${API}/ping`, timeoutMs, 0)
}
