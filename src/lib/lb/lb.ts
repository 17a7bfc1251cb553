import type {Cluster} from '../docker/cluster.js'
import type {NetworkSummary, ServiceSummary, SwarmNode, TaskSummary} from '../docker/engine.js'
import {SwarmnetError, UsageError, reasonOf} from '../core/errors.js'
import {inNetwork} from '../docker/in-network.js'
import {findService} from '../docker/services.js'
import {checkServiceRef, parsePort, parseWholeNumber} from '../core/input.js'
import {findNode} from '../node/node.js'
import {taskName} from '../docker/tasks.js'

export interface LbInput {
  target: string
  requests: string
  concurrency: string
  port?: string
  path?: string
  /** The response header that names the answering container (default: X-Served-By, or found). */
  header?: string
  network?: string
  from?: string
  /** How many failed requests still pass: a count ("3") or a share of the requests ("5%"); default 0. */
  maxFailed?: string
  json: boolean
}

export interface LbResult {
  target: string
  url: string
  /** Where the requests came from: this machine, or a container inside the service's network. */
  from: {where: 'here' | 'inside'; node?: string; container?: string}
  requests: number
  /** Requests that got an HTTP answer below 400. */
  answered: number
  /** The rest: no answer (refused, timed out, ...) or an HTTP error status; `failures` says which, how often. */
  failed: number
  /** Failed requests by reason ("connection refused", "HTTP 503", ...), the most frequent first. */
  failures: Record<string, number>
  /** How many failed requests --max-failed lets pass (the run fails above it). */
  allowedFailures: number
  /** Every HTTP status received, errors included. */
  statuses: Record<string, number>
  header?: string
  /** Who answered, how often, and how far from an even share (percentage points). */
  containers: {id: string; task?: string; node?: string; count: number; share: number; deviation: number}[]
  /** Running tasks of the service that never answered. */
  silent: string[]
  evenShare: number
  /** null when no answer named its container: nothing says how even the spread was. */
  maxDeviation: number | null
  /** Of the answered requests; null when none was. */
  latencyMs: {min: number | null; p50: number | null; p90: number | null; p99: number | null; max: number | null; resolution: number}
  durationMs: number
  /** Answered requests per second. */
  throughput: number
  notes: string[]
}

interface Sample {
  /** The HTTP status; 0 when no answer came (then `failure` says why). */
  status: number
  failure?: string
  servedBy?: string
  /** The task IP asked (from inside a network). */
  address?: string
  ms: number
}

const LIMITS = {requests: [1, 100_000], concurrency: [1, 256]} as const

function count(text: string, name: 'requests' | 'concurrency'): number {
  const [min, max] = LIMITS[name]
  return parseWholeNumber(text, `--${name}`, min, max)
}

/** --max-failed as a number of requests: "N" as is, "P%" of the requests rounded down. */
function allowedFailures(text: string | undefined, requests: number): number {
  if (text === undefined) return 0
  if (/^\d+$/.test(text) && Number(text) <= LIMITS.requests[1]) return Number(text)
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text)
  if (percent && Number(percent[1]) <= 100) return Math.floor((Number(percent[1]) * requests) / 100 + 1e-9)
  throw new UsageError(`invalid --max-failed "${text}": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)`)
}

/** LbInput's numbers once checked, and the URL when TARGET is one. */
export interface LbLimits {
  requests: number
  concurrency: number
  allowedFailures: number
  url?: URL
}

/** Everything that can be checked before connecting; the command calls it once, lbTest trusts it. */
export function checkLbInput(input: LbInput): LbLimits {
  const requests = count(input.requests, 'requests')
  const concurrency = Math.min(count(input.concurrency, 'concurrency'), requests)
  const allowed = allowedFailures(input.maxFailed, requests)
  if (input.header !== undefined && !/^[A-Za-z0-9-]+$/.test(input.header)) throw new UsageError(`invalid --header "${input.header}": expected a header name like X-Served-By`)
  if (input.path !== undefined && !input.path.startsWith('/')) throw new UsageError(`invalid --path "${input.path}": expected a path starting with "/"`)
  if (/^https?:\/\//.test(input.target)) {
    let url: URL
    try {
      url = new URL(input.target)
    } catch {
      throw new UsageError(`invalid TARGET "${input.target}": expected a service name or a URL like http://10.0.0.1/demo/hello`)
    }

    if (url.protocol !== 'http:') throw new UsageError(`invalid TARGET "${input.target}": only http:// URLs are supported`)
    for (const flag of ['port', 'network', 'from', 'path'] as const) if (input[flag] !== undefined) throw new UsageError(`--${flag} goes with a service TARGET, not a URL`)
    return {requests, concurrency, allowedFailures: allowed, url}
  }

  if (input.target.includes('/') || input.target.includes(':')) throw new UsageError(`invalid TARGET "${input.target}": expected a service name or an http:// URL`)
  checkServiceRef(input.target)
  if (input.port !== undefined) parsePort(input.port, '--port')

  return {requests, concurrency, allowedFailures: allowed}
}

/** Why the run fails: more requests failed than --max-failed allows; undefined when it passes. */
export function lbFailure(result: LbResult): string | undefined {
  if (result.failed <= result.allowedFailures) return undefined
  const reasons = Object.entries(result.failures).map(([reason, n]) => `${reason}: ${n}`).join(', ')
  const allowed = result.allowedFailures > 0 ? `; --max-failed allows ${result.allowedFailures}` : ''
  return `${result.failed} of ${result.requests} requests failed (${reasons})${allowed}`
}

/**
 * Sends N requests and shows who answered: to a URL from this machine (e.g. through the proxy), or
 * to a service from inside its network (a container attached to it, or a short-lived helper), where
 * Swarm's own load balancing (its VIP, or DNS round-robin) decides.
 */
export async function lbTest(cluster: Cluster, input: LbInput, limits: LbLimits): Promise<LbResult> {
  const {requests, concurrency, allowedFailures, url} = limits
  const [tasks, nodes, services] = await Promise.all([cluster.engine.listTasks({desiredState: 'running'}), cluster.engine.listNodes(), cluster.engine.listServices()])
  const started = performance.now()
  let run: {samples: Sample[]; header?: string; from: LbResult['from']; url: string; resolution: number; service?: ServiceSummary; notes: string[]}
  if (url) {
    const {samples, header} = await fromHere(url, requests, concurrency, input.header, cluster.timeoutMs)
    run = {samples, header, from: {where: 'here'}, url: url.href, resolution: 0.001, notes: []}
  } else {
    run = await fromInside(cluster, input, requests, concurrency, nodes)
  }

  return summarize(input.target, run, tasks, nodes, services, performance.now() - started, allowedFailures)
}

async function fromHere(url: URL, requests: number, concurrency: number, header: string | undefined, timeoutMs: number): Promise<{samples: Sample[]; header?: string}> {
  const http = await import('node:http')
  const agent = new http.Agent({keepAlive: true, maxSockets: concurrency})
  const samples: Sample[] = []
  let named = header?.toLowerCase()
  const one = () =>
    new Promise<Sample>((resolve) => {
      const started = performance.now()
      let timedOut = false
      const request = http.get(url, {agent, timeout: timeoutMs}, (response) => {
        named ??= ['x-served-by', 'x-container-id', 'x-container', 'x-hostname', 'x-backend-server'].find((h) => h in response.headers)
        const by = named ? response.headers[named] : undefined
        response.resume()
        response.on('end', () => resolve({status: response.statusCode ?? 0, servedBy: Array.isArray(by) ? by[0] : by, ms: performance.now() - started}))
        // A body cut short (closed, or destroyed on timeout) never ends: a failure (after 'end', a no-op).
        response.on('close', () => resolve({status: 0, failure: timedOut ? 'timed out' : 'cut short', ms: performance.now() - started}))
      })
      request.on('timeout', () => {
        timedOut = true
        request.destroy(new Error('timed out'))
      })
      request.on('error', (error) => resolve({status: 0, failure: timedOut ? 'timed out' : failureOf(error), ms: performance.now() - started}))
    })
  let next = 0
  await Promise.all(Array.from({length: concurrency}, async () => {
    while (next < requests) {
      next++
      samples.push(await one())
    }
  }))
  agent.destroy()
  return {samples, header: named}
}

/** Why a request got no answer, in a few kinds an operator can count. */
export function failureOf(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED': return 'connection refused'
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_FAIL': case 'EAI_NODATA': case 'EAI_NONAME': return 'DNS lookup failed'
    case 'ETIMEDOUT': return 'timed out'
    case 'ECONNRESET': case 'EPIPE': return 'connection reset'
    case 'EHOSTUNREACH': return 'host unreachable'
    case 'ENETUNREACH': return 'network unreachable'
    default: return error.code?.startsWith('HPE_') ? 'not an HTTP answer' : reasonOf(error)
  }
}

/** The reason words the in-container script prints for a request with no status (see INSIDE). */
const insideFailures: Record<string, string> = {
  dns: 'DNS lookup failed', bad_address: 'DNS lookup failed', refused: 'connection refused', timed_out: 'timed out', reset: 'connection reset', unreachable: 'host unreachable',
}

/**
 * The requests, made inside a container with its own shell, nslookup and busybox-style wget (the
 * common denominator of the images found on nodes); each prints one line: start, end, status, who
 * answered, the address asked and, with no status, why (a word from wget's error, or dns when the
 * name did not resolve). The name is resolved first and its first answer used, so the
 * spread is what Swarm hands out (its VIP, or its shuffled task IPs under dnsrr), not what a
 * resolver's address sorting (RFC 6724, glibc) would make of it. Times come from `date +%s%N`
 * where it has nanoseconds, else /proc/uptime (10 ms). (Debian's static busybox wget crashes with
 * -T, so there is no per-request timeout; the exec as a whole is bounded.)
 */
const INSIDE = String.raw`
n=$1; c=$2; host=$3; port=$4; path=$5; hdr=$6
now() { d=$(date +%s%N 2>/dev/null); case "$d" in *N|'') read u r < /proc/uptime; echo "c$[u%.*}$[u#*.}";; *) echo "n$d";; esac; }
resolve() { nslookup "$1" 2>/dev/null | sed -n '/^Name:/,$ s/^Address[^:]*: *\([0-9][0-9.]*\).*/\1/p' | head -n 1; }
worker() {
  i=0
  while [ "$i" -lt "$1" ]; do
    s=$(now); ip=$(resolve "$host"); out=$(wget -q -S -O /dev/null --header "Host: $host:$port" "http://$ip:$port$path" 2>&1); e=$(now)
    st=$(printf '%s\n' "$out" | sed -n 's/.*HTTP\/1\.[01] \([0-9][0-9][0-9]\).*/\1/p' | head -n 1)
    by=$(printf '%s\n' "$out" | grep -i "^ *$hdr:" | head -n 1 | sed 's/^[^:]*: *//; s/ *$//')
    why=-; [ -z "$ip" ] && why=dns
    [ -z "$st" ] && [ "$why" = - ] && case "$out" in *[Rr]efused*) why=refused;; *'timed out'*) why=timed_out;; *'bad address'*) why=bad_address;; *[Rr]eset*) why=reset;; *[Uu]nreachable*) why=unreachable;; esac
    echo "@@ $s $e $[st:-0} $[by:--} $[ip:--} $[why:--}"
    i=$((i + 1))
  done
}
per=$((n / c)); extra=$((n % c)); w=0
while [ "$w" -lt "$c" ]; do k=$per; [ "$w" -lt "$extra" ] && k=$((k + 1)); worker "$k" & w=$((w + 1)); done
wait
`.replaceAll('$[', '${') // $[ stands for the shell's ${, which a template literal would take

async function fromInside(cluster: Cluster, input: LbInput, requests: number, concurrency: number, nodes: SwarmNode[]) {
  const [service, networks] = await Promise.all([findService(cluster.engine, input.target), cluster.engine.listNetworks()])
  const network = networkOf(service, networks, input.network)
  const port = input.port ?? (await defaultPort(cluster, service))
  const url = `http://${service.name}:${port}${input.path ?? '/'}`
  const header = input.header ?? 'X-Served-By'
  const node = input.from === undefined ? await nodeOnNetwork(cluster, network, nodes) : findNode(nodes, input.from)
  const place = await inNetwork(cluster, {network, node, tools: ['wget', 'sed', 'grep'], preferImages: [service.image]})
  try {
    const limit = Math.min(30 * 60_000, 30_000 + Math.ceil(requests / concurrency) * 10_000)
    const output = await place.exec(['sh', '-c', INSIDE, 'swarmnet-lb', String(requests), String(concurrency), service.name, port, input.path ?? '/', header], {timeoutMs: limit})
    const lines = output.stdout.toString().split('\n').filter((l) => l.startsWith('@@ '))
    if (lines.length === 0) throw new SwarmnetError(`no request ran in ${place.container} on ${place.node}: ${output.stderr.trim().slice(0, 200) || `exit ${output.exitCode}`}`)
    const coarse = lines.some((l) => l.split(' ')[1].startsWith('c'))
    // A VIP names no task: behind it, only the header can say who answered.
    const vips = new Set(service.networks.map((n) => n.vip))
    const samples = lines.map((line) => {
      const [, start, end, status, by, ip, why = '-'] = line.split(' ')
      const failure = Number(status) > 0 ? undefined : (insideFailures[why.toLowerCase()] ?? 'no answer')
      return {status: Number(status), ...(failure ? {failure} : {}), servedBy: by === '-' ? undefined : by, address: ip === '-' || vips.has(ip) ? undefined : ip, ms: toMs(end) - toMs(start)}
    })
    const notes = [
      ...(coarse ? ['latency measured with /proc/uptime inside the container: 10 ms resolution'] : []),
      ...(service.endpointMode === 'vip' ? ['the service is reached through its VIP: IPVS balances (where the kernel has it)'] : ["dnsrr: each request resolves the name anew and takes the DNS answer's first task IP (clients that sort addresses, such as glibc's, may stick to one task)"]),
    ]
    return {samples, header, from: {where: 'inside' as const, node: place.node, container: place.container}, url, resolution: coarse ? 10 : 0.001, service, notes}
  } finally {
    await place.close()
  }
}

function toMs(stamp: string): number {
  return stamp.startsWith('n') ? Number(BigInt(stamp.slice(1)) / 1000n) / 1000 : Number(stamp.slice(1)) * 10
}

function networkOf(service: ServiceSummary, networks: NetworkSummary[], ref: string | undefined): NetworkSummary {
  const own = service.networks.map((a) => networks.find((n) => n.id === a.id)).filter((n): n is NetworkSummary => n !== undefined && !n.ingress)
  if (ref !== undefined) {
    const found = own.find((n) => n.name === ref || n.id === ref)
    if (!found) throw new UsageError(`service ${service.name} is not on network "${ref}"; it is on ${own.map((n) => n.name).join(', ') || 'no overlay'}`)
    return found
  }

  if (own.length === 0) throw new SwarmnetError(`service ${service.name} is on no overlay network, so nothing can reach it from inside one; test a URL instead`)
  return own[0]
}

async function defaultPort(cluster: Cluster, service: ServiceSummary): Promise<string> {
  if (service.ports[0]) return String(service.ports[0].targetPort)
  const exposed = await cluster.engine.imageExposedPorts(service.image).catch(() => undefined)
  if (exposed?.[0]) return String(exposed[0].port)
  throw new UsageError(`which port does ${service.name} listen on? its image declares none here; pass --port`)
}

async function nodeOnNetwork(cluster: Cluster, network: NetworkSummary, nodes: SwarmNode[]): Promise<SwarmNode> {
  const tasks = await cluster.engine.listTasks({desiredState: 'running'})
  const busy = nodes.filter((n) => tasks.some((t) => t.nodeId === n.id && t.state === 'running' && t.addresses.some((a) => a.networkId === network.id)))
  return busy[0] ?? nodes[0]
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function round(value: number): number
function round(value: number | null | undefined): number | null
function round(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 10) / 10
}

/** An answer below 400; anything else (no answer, 4xx, 5xx) is a failed request. */
const isAnswer = (s: Sample) => s.status > 0 && s.status < 400

function summarize(target: string, run: {samples: Sample[]; header?: string; from: LbResult['from']; url: string; resolution: number; service?: ServiceSummary; notes: string[]}, tasks: TaskSummary[], nodes: SwarmNode[], serviceList: ServiceSummary[], durationMs: number, allowedFailures: number): LbResult {
  const {samples} = run
  const nodeMap = new Map(nodes.map((n) => [n.id, n]))
  const services = new Map(serviceList.map((s) => [s.id, s]))
  const byContainer = (id: string) => tasks.find((t) => t.containerId && id.length >= 12 && t.containerId.startsWith(id))
  const answered = samples.filter((s) => isAnswer(s))
  const counts = new Map<string, number>()
  // Who answered: the header's container id, else the task whose IP was asked.
  const byAddress = (ip: string) => tasks.find((t) => t.addresses.some((a) => a.address === ip))?.containerId?.slice(0, 12) ?? ip
  for (const s of answered) {
    const who = s.servedBy ?? (s.address ? byAddress(s.address) : undefined)
    if (who) counts.set(who, (counts.get(who) ?? 0) + 1)
  }
  // Through a URL, the answers tell which service is behind it when they all come from one.
  const behind = new Set([...counts.keys()].map((id) => byContainer(id)?.serviceId))
  const service = run.service ?? (behind.size === 1 && [...behind][0] ? services.get([...behind][0]!) : undefined)
  const own = service ? tasks.filter((t) => t.serviceId === service.id && t.state === 'running') : []
  const expected = Math.max(own.length, counts.size, 1)
  const even = 100 / expected
  const containers = [...counts].map(([id, n]) => {
    const task = byContainer(id)
    const share = (n / Math.max(answered.length, 1)) * 100
    return {
      id, count: n, share: round(share), deviation: round(share - even),
      ...(task ? {task: services.has(task.serviceId) ? taskName(services.get(task.serviceId)!, task, nodeMap) : task.id.slice(0, 12), node: nodeMap.get(task.nodeId)?.hostname} : {}),
    }
  }).sort((a, b) => b.count - a.count)
  // With no answer attributed to any container, nothing says which tasks stayed silent.
  const silent = counts.size === 0 ? [] : own.filter((t) => !containers.some((c) => t.containerId?.startsWith(c.id))).map((t) => taskName(service!, t, nodeMap))
  const latencies = answered.map((s) => s.ms).sort((a, b) => a - b)
  const statuses: Record<string, number> = {}
  for (const s of samples) if (s.status > 0) statuses[s.status] = (statuses[s.status] ?? 0) + 1
  const reasons = new Map<string, number>()
  for (const s of samples) {
    if (isAnswer(s)) continue
    const reason = s.status > 0 ? `HTTP ${s.status}` : (s.failure ?? 'no answer')
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
  }

  const failures = Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
  const notes = [...run.notes]
  if (!run.service && service) notes.push(`every answer came from service ${service.name}, which runs ${own.length} task(s)`)
  if (answered.length > 0 && counts.size === 0) notes.push(`no answer named its container${run.header ? ` in ${run.header}` : ''}; pass --header NAME`)
  return {
    target, url: run.url, from: run.from, requests: samples.length, answered: answered.length, failed: samples.length - answered.length, failures, allowedFailures, statuses,
    ...(run.header ? {header: run.header} : {}), containers, silent,
    evenShare: round(even), maxDeviation: counts.size === 0 ? null : round(Math.max(0, ...containers.map((c) => Math.abs(c.deviation)), ...silent.map(() => even))),
    latencyMs: {min: round(latencies[0]), p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1)), resolution: run.resolution},
    durationMs: Math.round(durationMs), throughput: round((answered.length / durationMs) * 1000), notes,
  }
}

