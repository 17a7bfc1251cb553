import {expect} from 'chai'
import http from 'node:http'
import net from 'node:net'

import {SwarmnetError} from '../../../src/lib/core/errors.js'
import {ConnectFailed, httpGet, isWholeResponse, parseRawResponse, rawGetRequest} from '../../../src/lib/proxy/http.js'
import {eventually} from '../../helpers/poll.js'

const raw = (text: string) => Buffer.from(text, 'utf8')

interface Served {
  url: string
  port: number
  server: http.Server
  /** TCP connections the server accepted. */
  connections: () => number
  close: () => Promise<void>
}

/** A real HTTP server on 127.0.0.1, on a port of its own. */
async function serve(handler: http.RequestListener): Promise<Served> {
  const server = http.createServer(handler)
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    connections: () => connections,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => {
        server.close(resolve)
      })
    },
  }
}

const openConnections = (server: http.Server) =>
  new Promise<number>((resolve, reject) => {
    server.getConnections((error, count) => (error ? reject(error) : resolve(count)))
  })

/** A port nothing listens on (one the kernel just gave out and took back). */
async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as net.AddressInfo
  await new Promise((resolve) => {
    server.close(resolve)
  })
  return port
}

const limits = {connectTimeoutMs: 2000, timeoutMs: 5000}

describe('proxy/http', () => {
  describe('parseRawResponse', () => {
    it('reads an HTTP/1.1 answer: status, Content-Type, body', () => {
      expect(parseRawResponse(raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"Status":"OK"}'))).to.deep.equal({
        status: 200, contentType: 'application/json', body: '{"Status":"OK"}',
      })
    })

    it('reads an HTTP/1.0 answer without Content-Length: the body is everything after the headers', () => {
      expect(parseRawResponse(raw('HTTP/1.0 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n\r\n404 page not found'))).to.deep.equal({
        status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found',
      })
    })

    it('cuts the body at Content-Length (what nc read past the answer)', () => {
      expect(parseRawResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world'))?.body).to.equal('hello')
      expect(parseRawResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\ntrailing'))?.body).to.equal('')
    })

    it('counts Content-Length in bytes, not characters', () => {
      expect(parseRawResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nüüxx'))?.body).to.equal('üü')
    })

    it('keeps a body shorter than Content-Length as it is', () => {
      expect(parseRawResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"a"'))?.body).to.equal('{"a"')
    })

    it('reads header names without case, values trimmed', () => {
      expect(parseRawResponse(raw('HTTP/1.1 500 Internal Server Error\r\ncontent-type:   text/plain  \r\nCONTENT-LENGTH: 2\r\n\r\nnoXX'))).to.deep.equal({
        status: 500, contentType: 'text/plain', body: 'no',
      })
    })

    it('reads a status line without a reason, and no Content-Type as ""', () => {
      expect(parseRawResponse(raw('HTTP/1.1 409\r\n\r\n{}'))).to.deep.equal({status: 409, contentType: '', body: '{}'})
    })

    for (const garbage of [
      '', 'hello', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n', 'HTTP/2 200\r\n\r\n', 'HTTP/1.2 200 OK\r\n\r\n', 'HTTP/1.1 abc\r\n\r\n', 'HTTP/1.1 2000\r\n\r\n',
      'SSH-2.0-OpenSSH_9.2\r\n\r\n', 'xHTTP/1.1 200 OK\r\n\r\n', 'nc: connect to localhost port 8080 (tcp) failed: Connection refused\n',
    ]) {
      it(`is undefined for ${JSON.stringify(garbage)}`, () => {
        expect(parseRawResponse(raw(garbage))).to.equal(undefined)
      })
    }
  })

  describe('isWholeResponse', () => {
    it('waits for the end of the headers', () => {
      expect(isWholeResponse(raw(''))).to.equal(false)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n'))).to.equal(false)
    })

    it('waits for Content-Length bytes of body', () => {
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{'))).to.equal(false)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'))).to.equal(true)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}\r\n'))).to.equal(true)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))).to.equal(true)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\ncontent-length:4\r\n\r\nüü'))).to.equal(true)
      expect(isWholeResponse(raw('HTTP/1.1 200 OK\r\ncontent-length:4\r\n\r\nü'))).to.equal(false)
    })

    it('cannot tell without Content-Length (the end of the stream tells)', () => {
      expect(isWholeResponse(raw('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nanything'))).to.equal(false)
      expect(isWholeResponse(raw('HTTP/1.0 200 OK\r\n\r\nbody\r\nContent-Length: 0\r\n'))).to.equal(false)
    })
  })

  describe('rawGetRequest', () => {
    it('is an HTTP/1.0 GET that asks the server to close', () => {
      expect(rawGetRequest('/v1/docker-flow-proxy/config?type=json')).to.equal(
        'GET /v1/docker-flow-proxy/config?type=json HTTP/1.0\r\nHost: localhost\r\nUser-Agent: swarmnet\r\nConnection: close\r\n\r\n',
      )
    })

    it('gets a whole answer from a real server, which parseRawResponse reads', async () => {
      // Go's net/http (the proxy's) sends Content-Length for a body that fits its buffer; node's does not for HTTP/1.0.
      const served = await serve((request, response) => {
        const body = JSON.stringify({path: request.url, ua: request.headers['user-agent'], host: request.headers.host})
        response.setHeader('Content-Type', 'application/json')
        if (request.url!.startsWith('/v1/')) response.setHeader('Content-Length', Buffer.byteLength(body))
        response.end(body)
      })
      const get = (path: string) =>
        new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = []
          const socket = net.connect(served.port, '127.0.0.1', () => socket.write(rawGetRequest(path)))
          socket.on('data', (chunk: Buffer) => chunks.push(chunk))
          socket.on('end', () => resolve(Buffer.concat(chunks)))
          socket.on('error', reject)
        })
      try {
        const data = await get('/v1/docker-flow-proxy/ping')
        expect(isWholeResponse(data)).to.equal(true)
        expect(parseRawResponse(data)).to.deep.equal({
          status: 200, contentType: 'application/json', body: '{"path":"/v1/docker-flow-proxy/ping","ua":"swarmnet","host":"localhost"}',
        })
        // Without Content-Length the server closes after the body: the whole stream is the answer.
        const closed = await get('/other')
        expect(isWholeResponse(closed)).to.equal(false)
        expect(parseRawResponse(closed)?.body).to.equal('{"path":"/other","ua":"swarmnet","host":"localhost"}')
      } finally {
        await served.close()
      }
    })
  })

  describe('httpGet (against a real server on 127.0.0.1)', () => {
    const opened: Served[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()))
    })

    async function server(handler: http.RequestListener): Promise<Served> {
      const served = await serve(handler)
      opened.push(served)
      return served
    }

    it('answers status, Content-Type and body, and passes the headers', async () => {
      let seen: http.IncomingHttpHeaders = {}
      const served = await server((request, response) => {
        seen = request.headers
        response.writeHead(409, {'Content-Type': 'text/plain; charset=utf-8'})
        response.end('{"Status":"NOK","Message":"ü"}')
      })
      const answer = await httpGet(`${served.url}/v1/docker-flow-proxy/reconfigure?serviceName=x`, {...limits, headers: {'X-Swarmnet': 'yes', Authorization: 'Basic eDp5'}})
      expect(answer).to.deep.equal({status: 409, contentType: 'text/plain; charset=utf-8', body: '{"Status":"NOK","Message":"ü"}'})
      expect(seen['x-swarmnet']).to.equal('yes')
      expect(seen.authorization).to.equal('Basic eDp5')
    })

    it('sends the path and query as given', async () => {
      let url = ''
      const served = await server((request, response) => {
        url = request.url ?? ''
        response.end()
      })
      const answer = await httpGet(`${served.url}/v1/docker-flow-proxy/reconfigure?serviceName=go-demo&servicePath=%2Fdemo`, limits)
      expect(answer).to.deep.equal({status: 200, contentType: '', body: ''})
      expect(url).to.equal('/v1/docker-flow-proxy/reconfigure?serviceName=go-demo&servicePath=%2Fdemo')
    })

    it('reads a large body whole', async () => {
      const big = 'x'.repeat(300_000)
      const served = await server((_request, response) => {
        response.end(big)
      })
      expect((await httpGet(served.url, limits)).body).to.equal(big)
    })

    it('fails with ConnectFailed when the connection is refused', async () => {
      const port = await freePort()
      const error = await httpGet(`http://127.0.0.1:${port}/v1/docker-flow-proxy/ping`, limits).catch((error: unknown) => error)
      expect(error).to.be.instanceOf(ConnectFailed)
      expect(error).to.be.instanceOf(SwarmnetError)
      expect((error as Error).message).to.equal('connection refused')
      expect((error as Error).name).to.equal('ConnectFailed')
    })

    it('fails with a timeout that is not ConnectFailed when the server accepts but never answers', async () => {
      let requests = 0
      const served = await server(() => {
        requests++
      })
      const started = Date.now()
      const error = await httpGet(`${served.url}/v1/docker-flow-proxy/reconfigure`, {connectTimeoutMs: 2000, timeoutMs: 300}).catch((error: unknown) => error)
      // At least the timeout (a lower bound: a slow machine only makes it longer).
      expect(Date.now() - started).to.be.at.least(250)
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error).not.to.be.instanceOf(ConnectFailed)
      expect((error as Error).message).to.equal('no answer within 0.3s')
      // Something was sent: not retried (a reconfigure may have been applied).
      expect(requests).to.equal(1)
    })

    it('keeps the connection alive: two requests in a row use one connection', async () => {
      let n = 0
      const served = await server((_request, response) => {
        response.end(String(++n))
      })
      const first = await httpGet(`${served.url}/a`, limits)
      const second = await httpGet(`${served.url}/b`, limits)
      expect([first.body, second.body]).to.deep.equal(['1', '2'])
      expect(served.connections()).to.equal(1)
    })

    it('retries transparently when a kept-alive socket was closed by the server (the close crossing the request)', async () => {
      const perSocket = new WeakMap<net.Socket, number>()
      let requests = 0
      const served = await server((request, response) => {
        requests++
        const n = (perSocket.get(request.socket) ?? 0) + 1
        perSocket.set(request.socket, n)
        // The server had given up on this idle connection: it hangs up without answering.
        if (n === 2) return request.socket.destroy()
        response.end(`answer ${requests}`)
      })
      expect((await httpGet(`${served.url}/first`, limits)).body).to.equal('answer 1')
      expect((await httpGet(`${served.url}/second`, limits)).body).to.equal('answer 3')
      expect(requests).to.equal(3)
      expect(served.connections()).to.equal(2)
    })

    it('works after the server closed the idle connection (keep-alive timeout)', async () => {
      const served = await server((_request, response) => {
        response.end('ok')
      })
      served.server.keepAliveTimeout = 50
      expect((await httpGet(served.url, limits)).body).to.equal('ok')
      await eventually('the server closed the idle connection', () => openConnections(served.server).then((n) => n === 0), 10_000, 10)
      expect((await httpGet(served.url, limits)).body).to.equal('ok')
      expect(served.connections()).to.equal(2)
    })

    it('does not retry a request on a fresh connection the server hangs up on', async () => {
      let requests = 0
      const served = await server((request) => {
        requests++
        request.socket.destroy()
      })
      const error = await httpGet(`${served.url}/x`, limits).catch((error: unknown) => error)
      expect(error).to.be.instanceOf(SwarmnetError)
      expect(error).not.to.be.instanceOf(ConnectFailed)
      expect((error as Error).message).to.equal('connection reset')
      expect(requests).to.equal(1)
    })
  })
})
