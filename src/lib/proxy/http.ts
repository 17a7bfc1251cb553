import http from 'node:http'

import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, reasonOf} from '../core/errors.js'

/** An HTTP answer, whatever carried it (a published port, or nc inside the container). */
export interface HttpAnswer {
  status: number
  contentType: string
  body: string
}

/** No connection could be made: nothing was sent, so trying another way is safe. */
export class ConnectFailed extends SwarmnetError {
  constructor(message: string) {
    super(message)
    this.name = 'ConnectFailed'
  }
}

/**
 * Keep-alive, so a command that sends many requests to one replica opens one connection; idle
 * sockets are unref'd so they never keep the process alive.
 */
class IdleUnrefAgent extends http.Agent {
  keepSocketAlive(socket: import('node:net').Socket) {
    socket.unref()
    return super.keepSocketAlive(socket)
  }

  reuseSocket(socket: import('node:net').Socket, request: http.ClientRequest): void {
    socket.ref()
    super.reuseSocket(socket, request)
  }
}

let agent: IdleUnrefAgent | undefined

/**
 * GET a URL. Connecting is bounded by `connectTimeoutMs` (a failure there is ConnectFailed), the
 * whole answer by `timeoutMs`. A kept-alive socket the server closed while idle is retried once on a
 * new one.
 */
export async function httpGet(url: string, limits: {connectTimeoutMs: number; timeoutMs: number; headers?: Record<string, string>}): Promise<HttpAnswer> {
  agent ??= new IdleUnrefAgent({keepAlive: true, maxSockets: 8})
  try {
    return await getOnce(url, limits)
  } catch (error) {
    if ((error as {staleSocket?: boolean}).staleSocket) return getOnce(url, limits)
    throw error
  }
}

function getOnce(url: string, {connectTimeoutMs, timeoutMs, headers}: {connectTimeoutMs: number; timeoutMs: number; headers?: Record<string, string>}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let connected = false
    const request = http.get(url, {agent, headers})
    const fail = (error: Error) => {
      clearTimeout(connectTimer)
      clearTimeout(answerTimer)
      reject(error)
    }

    const connectTimer = setTimeout(() => request.destroy(new ConnectFailed(`timed out after ${formatSeconds(connectTimeoutMs)} connecting`)), connectTimeoutMs)
    const answerTimer = setTimeout(() => request.destroy(new SwarmnetError(`no answer within ${formatSeconds(timeoutMs)}`)), timeoutMs)
    request.on('socket', (socket) => {
      const onConnect = () => {
        connected = true
        clearTimeout(connectTimer)
      }

      if (socket.connecting) socket.once('connect', onConnect)
      else onConnect()
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof SwarmnetError) return fail(error)
      if (request.reusedSocket && error.code === 'ECONNRESET') return fail(Object.assign(new Error('stale keep-alive socket'), {staleSocket: true}))
      fail(connected ? new SwarmnetError(reasonOf(error)) : new ConnectFailed(reasonOf(error)))
    })
    request.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', fail)
      response.on('end', () => {
        clearTimeout(connectTimer)
        clearTimeout(answerTimer)
        resolve({status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8')})
      })
    })
  })
}

/** The request line and headers nc sends for `pathAndQuery` (HTTP/1.0: the server closes when done). */
export function rawGetRequest(pathAndQuery: string): string {
  return `GET ${pathAndQuery} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: swarmnet\r\nConnection: close\r\n\r\n`
}

/** Whether `raw` holds a whole response: headers, and as many body bytes as Content-Length says. */
export function isWholeResponse(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return false
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, end).toString('latin1'))
  return length !== null && raw.length - end - 4 >= Number(length[1])
}

/** Parses a whole HTTP/1.x response as read off a socket; undefined when it is not one. */
export function parseRawResponse(raw: Buffer): HttpAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})\b/.exec(statusLine)
  if (!status) return undefined
  const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  let body = raw.subarray(end + 4)
  const length = Number(headers.get('content-length'))
  if (Number.isInteger(length) && length < body.length) body = body.subarray(0, length)
  return {status: Number(status[1]), contentType: headers.get('content-type') ?? '', body: body.toString('utf8')}
}
