import type {Duplex} from 'node:stream'

import type {Cluster} from '../docker/cluster.js'
import type {Engine, SwarmNode, TaskSummary} from '../docker/engine.js'
import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, oneLine, reasonOf} from '../core/errors.js'
import type {SshSession} from '../ssh/ssh-client.js'
import {ConnectFailed, type HttpAnswer, httpGet, isWholeResponse, parseRawResponse, rawGetRequest} from './http.js'

/** The bridge every overlay-attached container also sits on, on its own node: its address there is node-local. */
export const GWBRIDGE = 'docker_gwbridge'
// The codes ssh-client gives forward() failures (kept here so this module loads without it).
const FORWARD_CONNECT_FAILED = 'EFORWARDCONNECT'

type NodeRef = Pick<SwarmNode, 'id' | 'hostname' | 'address'>

/** How a replica's API was reached, for --verbose and --json. */
export interface ApiRoute {
  via: 'published-port' | 'ssh-tunnel' | 'docker-exec'
  /**
   * "http://10.213.0.12:8080"; "ssh://root@10.213.0.12:22 -> 172.17.0.3:8080 on docker_gwbridge";
   * or "docker exec in <container> on tcp://10.213.0.12:2376".
   */
  target: string
  /** Why a faster way was not used, when there is one. */
  note?: string
}

/** The SSH connection to a replica's node and the container's address there, or why there is none. */
type Tunnel = {session: SshSession; address: string} | {unusable: string}

/**
 * One replica's API, reached without an ingress-published port (which lands on a random replica):
 * the port this task published in host mode on its node, when there is one (--publish-api); otherwise
 * privately, through an SSH connection to the task's node (the one its engine runs over, or one
 * opened with the same SSH settings), forwarded by the node to the container's own address on
 * docker_gwbridge. That address is only ever connected to from the node itself: the local machine may
 * have a bridge of its own on the same range. Where SSH cannot be had, the request runs inside the
 * container through the node's Docker API (nc, which the real image's busybox has): slower, one exec
 * per request. A way that cannot connect falls back to the next, safely, since nothing was sent.
 */
export class ReplicaApi {
  private current: ApiRoute
  private tunnel?: Promise<Tunnel>
  /** Why the published port was passed over, once it was. */
  private passedOver?: string
  private execTarget?: Promise<{engine: Engine; containerId: string}>

  constructor(
    private readonly cluster: Cluster,
    private readonly node: NodeRef,
    private readonly task: TaskSummary,
    private readonly port: number,
  ) {
    const published = task.publishedPorts.find((p) => p.targetPort === port && p.publishMode === 'host' && p.protocol === 'tcp' && p.publishedPort)
    this.current =
      published && node.address
        ? {via: 'published-port', target: `http://${hostPort(node.address, published.publishedPort!)}`}
        : {via: 'ssh-tunnel', target: `SSH to ${node.hostname}, forwarded to task ${task.id.slice(0, 12)} on ${GWBRIDGE}`}
  }

  get route(): ApiRoute {
    return this.current
  }

  /** GET pathAndQuery on the API; `timeoutMs` bounds the answer (reconfigure can take the proxy ~20 s to refuse). */
  async get(pathAndQuery: string, timeoutMs: number): Promise<HttpAnswer> {
    if (this.current.via !== 'published-port') return this.privately(pathAndQuery, timeoutMs)
    const port = this.current
    try {
      return await httpGet(`${port.target}${pathAndQuery}`, {connectTimeoutMs: this.cluster.timeoutMs, timeoutMs})
    } catch (error) {
      if (!(error instanceof ConnectFailed)) throw error
      // The private way is kept only once it works: a replica still starting refuses both for a moment.
      try {
        const why = `${port.target} did not answer (${error.message})`
        const answer = await this.privately(pathAndQuery, timeoutMs, why)
        this.passedOver = why
        return answer
      } catch (privateError) {
        const way = (this.current as ApiRoute).via === 'docker-exec' ? 'through Docker' : 'over SSH'
        this.current = port
        if (privateError instanceof ConnectFailed) throw privateError
        throw new ConnectFailed(`${port.target}: ${error.message}; ${way}: ${reasonOf(privateError)}`)
      }
    }
  }

  private async privately(pathAndQuery: string, timeoutMs: number, why = this.passedOver): Promise<HttpAnswer> {
    this.tunnel ??= this.openTunnel()
    const tunnel = await this.tunnel
    const note = why
    if ('unusable' in tunnel) return this.viaExec(pathAndQuery, timeoutMs, [note, `no SSH path: ${tunnel.unusable}`].filter(Boolean).join('; '))
    this.current = {via: 'ssh-tunnel', target: `${tunnel.session.target} -> ${hostPort(tunnel.address, this.port)} on ${GWBRIDGE}`, ...(note ? {note} : {})}
    let socket: Duplex
    try {
      socket = await tunnel.session.forward(tunnel.address, this.port, {timeoutMs: this.cluster.timeoutMs})
    } catch (error) {
      // Refused by the container (still starting, or not listening): docker exec would meet the same.
      if ((error as SwarmnetError).code === FORWARD_CONNECT_FAILED) throw new ConnectFailed(reasonOf(error))
      // The server does not forward (or the connection is gone): Docker from now on.
      this.tunnel = Promise.resolve({unusable: reasonOf(error)})
      return this.viaExec(pathAndQuery, timeoutMs, [note, `no SSH path: ${reasonOf(error)}`].filter(Boolean).join('; '))
    }

    return exchange(socket, rawGetRequest(pathAndQuery), timeoutMs)
  }

  /** SSH to the node and the container's docker_gwbridge address, both asked at once, once per replica. */
  private async openTunnel(): Promise<Tunnel> {
    const containerId = this.task.containerId
    if (!containerId) return {unusable: `task ${this.task.id.slice(0, 12)} reports no container yet`}
    const nodes = await this.cluster.nodeEngines()
    const address = nodes.forNode(this.node).then(async (route) => (await route.engine.containerAddresses(containerId))[GWBRIDGE])
    address.catch(() => {})
    let session: SshSession
    try {
      session = await nodes.sshSession(this.node)
    } catch (error) {
      return {unusable: `no SSH connection to ${this.node.hostname}: ${reasonOf(error)}`}
    }

    try {
      const found = await address
      return found ? {session, address: found} : {unusable: `container ${containerId.slice(0, 12)} is not on ${GWBRIDGE}`}
    } catch (error) {
      return {unusable: `cannot read container ${containerId.slice(0, 12)}'s addresses: ${reasonOf(error)}`}
    }
  }

  private async viaExec(pathAndQuery: string, timeoutMs: number, note?: string): Promise<HttpAnswer> {
    this.current = {via: 'docker-exec', target: `docker exec in task ${this.task.id.slice(0, 12)}`, ...(note ? {note} : {})}
    this.execTarget ??= this.cluster.nodeEngines().then(async (nodes) => {
      if (!this.task.containerId) throw new SwarmnetError(`task ${this.task.id.slice(0, 12)} reports no container yet`)
      const route = await nodes.forNode(this.node)
      return {engine: route.engine, containerId: this.task.containerId}
    })
    const {engine, containerId} = await this.execTarget
    this.current = {via: 'docker-exec', target: `docker exec in ${containerId.slice(0, 12)} on ${engine.target}`, ...(note ? {note} : {})}
    // The request goes to nc's stdin, kept open until the answer is complete (nc hangs up on EOF).
    const output = await engine.exec(containerId, ['nc', '127.0.0.1', String(this.port)], {timeoutMs, input: rawGetRequest(pathAndQuery), done: isWholeResponse})
    const answer = parseRawResponse(output.stdout)
    if (answer) return answer
    if (output.exitCode === 126 || output.exitCode === 127) {
      throw new SwarmnetError(`cannot run nc in the proxy's container (${oneLine(output.stdout.toString() || output.stderr) || `exit ${output.exitCode}`}); give swarmnet SSH to ${this.node.hostname}, or publish port ${this.port} in host mode`)
    }

    const said = oneLine(output.stderr || output.stdout.toString())
    throw new ConnectFailed(`nothing answers on port ${this.port} inside the container${said ? ` (${said})` : ''}`)
  }
}

/**
 * One HTTP/1.0 exchange on a connection already made: the request is written (and the connection
 * left open: some servers take a half-close for a client gone), the answer read until it is whole or
 * the server closes. Bounded by `timeoutMs`.
 */
export async function exchange(socket: Duplex, request: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (error) return reject(error)
      const raw = Buffer.concat(chunks)
      const answer = parseRawResponse(raw)
      if (answer) return resolve(answer)
      reject(new SwarmnetError(raw.length === 0 ? 'the API closed the connection without answering' : `not an HTTP answer: ${oneLine(raw.subarray(0, 120).toString())}`))
    }

    const timer = setTimeout(() => finish(new SwarmnetError(`no answer within ${formatSeconds(timeoutMs)}`)), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (isWholeResponse(Buffer.concat(chunks))) finish()
    })
    socket.on('error', (error: Error) => finish(new SwarmnetError(reasonOf(error))))
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    socket.write(request)
  })
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
