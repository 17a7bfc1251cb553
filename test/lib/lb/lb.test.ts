import {expect} from 'chai'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

import type {ContainerSummary, Engine, ExecOutput, NetworkSummary, ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {type LbInput, type LbResult, checkLbInput, failureOf, lbFailure, lbTest} from '../../../src/lib/lb/lb.js'
import {fakeCluster} from '../../helpers/fake-cluster.js'
import {fakeEngine, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

/** A 64-hex container id made of one digit; its first 12 characters are what a container's hostname shows. */
const cid = (digit: number) => String(digit).repeat(64)
const short = (digit: number) => cid(digit).slice(0, 12)

const nodes = [node('n1', 'node-1', '10.213.0.11', 'manager'), node('n2', 'node-2', '10.213.0.12'), node('n3', 'node-3', '10.213.0.13')]
const network = (id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary => ({
  id, name, driver: 'overlay', scope: 'swarm', attachable: true, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides,
})
const INGRESS = network('net-ingress', 'ingress', {ingress: true, attachable: false})
const APP = network('net-app', 'app')
const PROXY = network('net-proxy', 'proxy')
const on = (address: string) => [{networkId: APP.id, address}]

const web = serviceOf('svc-web', 'web', {replicas: 3, networks: [{id: INGRESS.id, vip: '10.0.0.5'}, {id: APP.id, vip: '10.0.1.2'}], ports: [{protocol: 'tcp', targetPort: 8080, publishedPort: 30_080, publishMode: 'ingress'}]})
const api = serviceOf('svc-api', 'api', {networks: [{id: APP.id, vip: '10.0.1.3'}]})
const webTasks = [
  taskOf('t-web-1', web.id, 'n2', {slot: 1, containerId: cid(1), addresses: on('10.0.1.5')}),
  taskOf('t-web-2', web.id, 'n3', {slot: 2, containerId: cid(2), addresses: on('10.0.1.6')}),
  taskOf('t-web-3', web.id, 'n2', {slot: 3, containerId: cid(3), addresses: on('10.0.1.7')}),
  // Desired running, not running yet: not one of the service's tasks that should answer.
  taskOf('t-web-4', web.id, 'n3', {slot: 4, containerId: cid(5), state: 'preparing', addresses: on('10.0.1.8')}),
]
const apiTasks = [taskOf('t-api-1', api.id, 'n1', {slot: 1, containerId: cid(4), addresses: on('10.0.1.9')})]

function managerEngine(overrides: Partial<Engine> = {}, services: ServiceSummary[] = [web, api], tasks: TaskSummary[] = [...webTasks, ...apiTasks]): Engine {
  return fakeEngine({
    listServices: async () => services,
    listNodes: async () => nodes,
    listTasks: async () => tasks,
    listNetworks: async () => [INGRESS, APP, PROXY],
    ...overrides,
  })
}

const input = (target: string, overrides: Partial<LbInput> = {}): LbInput => ({target, requests: '10', concurrency: '2', json: true, ...overrides})
/** lbTest as the command calls it: on input checked first. */
const lbTestChecked = (cluster: Parameters<typeof lbTest>[0], typed: LbInput) => lbTest(cluster, typed, checkLbInput(typed))

const fails = async (promise: Promise<unknown>): Promise<SwarmnetError> =>
  promise.then(
    () => expect.fail('should have failed'),
    (error: SwarmnetError) => error,
  )

describe('lb: checkLbInput', () => {
  it('a service target: the counts, no URL', () => {
    expect(checkLbInput(input('web', {requests: '100', concurrency: '8', port: '8080', path: '/demo/hello', header: 'X-Served-By', network: 'app', from: 'node-2'}))).to.deep.equal({requests: 100, concurrency: 8, allowedFailures: 0})
  })

  it('concurrency is capped at the number of requests', () => {
    expect(checkLbInput(input('web', {requests: '3', concurrency: '50'}))).to.deep.equal({requests: 3, concurrency: 3, allowedFailures: 0})
  })

  it('--max-failed: a count as is (more than the requests is fine), a percentage of the requests rounded down', () => {
    const allowed = (maxFailed: string, requests = '200') => checkLbInput(input('web', {requests, maxFailed})).allowedFailures
    expect(allowed('0')).to.equal(0)
    expect(allowed('7')).to.equal(7)
    expect(allowed('500')).to.equal(500)
    expect(allowed('100000')).to.equal(100_000)
    expect(allowed('5%')).to.equal(10)
    expect(allowed('0%')).to.equal(0)
    expect(allowed('100%')).to.equal(200)
    expect(allowed('2.5%', '100')).to.equal(2)
    expect(allowed('1%', '99')).to.equal(0)
    // 2.3 * 1000 is 2299.9999999999995 in floating point: still 23, not 22.
    expect(allowed('2.3%', '1000')).to.equal(23)
    expect(allowed('14%', '50')).to.equal(7)
  })

  it('a URL target: the URL, with --header allowed', () => {
    const checked = checkLbInput(input('http://10.213.0.12/demo/hello?x=1', {header: 'X-Container-Id'}))
    expect(checked.requests).to.equal(10)
    expect(checked.concurrency).to.equal(2)
    expect(checked.url!.href).to.equal('http://10.213.0.12/demo/hello?x=1')
  })

  it('the limits themselves are accepted: 1 and 100000 requests, 1 and 256 concurrency; port 1 and 65535', () => {
    expect(checkLbInput(input('web', {requests: '1', concurrency: '1', port: '1'}))).to.deep.equal({requests: 1, concurrency: 1, allowedFailures: 0})
    expect(checkLbInput(input('web', {requests: '100000', concurrency: '256', port: '65535'}))).to.deep.equal({requests: 100_000, concurrency: 256, allowedFailures: 0})
  })

  const bad: [string, Partial<LbInput> & {target?: string}, string][] = [
    ['0 requests', {requests: '0'}, 'invalid --requests "0": expected a whole number from 1 to 100000'],
    ['too many requests', {requests: '100001'}, 'invalid --requests "100001": expected a whole number from 1 to 100000'],
    ['negative requests', {requests: '-5'}, 'invalid --requests "-5": expected a whole number from 1 to 100000'],
    ['fractional requests', {requests: '1.5'}, 'invalid --requests "1.5": expected a whole number from 1 to 100000'],
    ['requests in exponent form', {requests: '1e3'}, 'invalid --requests "1e3": expected a whole number from 1 to 100000'],
    ['requests with a space', {requests: ' 5'}, 'invalid --requests " 5": expected a whole number from 1 to 100000'],
    ['empty requests', {requests: ''}, 'invalid --requests "": expected a whole number from 1 to 100000'],
    ['requests checked before concurrency', {requests: 'x', concurrency: 'y'}, 'invalid --requests "x": expected a whole number from 1 to 100000'],
    ['0 concurrency', {concurrency: '0'}, 'invalid --concurrency "0": expected a whole number from 1 to 256'],
    ['too much concurrency', {concurrency: '257'}, 'invalid --concurrency "257": expected a whole number from 1 to 256'],
    ['hex concurrency', {concurrency: '0x10'}, 'invalid --concurrency "0x10": expected a whole number from 1 to 256'],
    ['a header with a space', {header: 'X Served'}, 'invalid --header "X Served": expected a header name like X-Served-By'],
    ['a header with an underscore', {header: 'X_Served_By'}, 'invalid --header "X_Served_By": expected a header name like X-Served-By'],
    ['a header with a colon', {header: 'X-Served-By:'}, 'invalid --header "X-Served-By:": expected a header name like X-Served-By'],
    ['an empty header', {header: ''}, 'invalid --header "": expected a header name like X-Served-By'],
    ['a relative path', {path: 'demo/hello'}, 'invalid --path "demo/hello": expected a path starting with "/"'],
    ['a URL without a host', {target: 'http://'}, 'invalid TARGET "http://": expected a service name or a URL like http://10.0.0.1/demo/hello'],
    ['an https URL', {target: 'https://10.213.0.11/'}, 'invalid TARGET "https://10.213.0.11/": only http:// URLs are supported'],
    ['--port with a URL', {target: 'http://10.213.0.11/', port: '80'}, '--port goes with a service TARGET, not a URL'],
    ['--network with a URL', {target: 'http://10.213.0.11/', network: 'app'}, '--network goes with a service TARGET, not a URL'],
    ['--from with a URL', {target: 'http://10.213.0.11/', from: 'node-1'}, '--from goes with a service TARGET, not a URL'],
    ['--path with a URL', {target: 'http://10.213.0.11/', path: '/x'}, '--path goes with a service TARGET, not a URL'],
    ['--port and --from with a URL: --port named first', {target: 'http://10.213.0.11/', from: 'node-1', port: '80'}, '--port goes with a service TARGET, not a URL'],
    ['a service with a slash', {target: 'web/x'}, 'invalid TARGET "web/x": expected a service name or an http:// URL'],
    ['a service with a port', {target: 'web:8080'}, 'invalid TARGET "web:8080": expected a service name or an http:// URL'],
    ['an ftp URL', {target: 'ftp://10.213.0.11/'}, 'invalid TARGET "ftp://10.213.0.11/": expected a service name or an http:// URL'],
    ['a service name starting with a dash', {target: '-web'}, 'invalid SERVICE "-web": expected a service name or id'],
    ['port 0', {port: '0'}, 'invalid --port "0": expected a port number from 1 to 65535'],
    ['port 65536', {port: '65536'}, 'invalid --port "65536": expected a port number from 1 to 65535'],
    ['a named port', {port: 'http'}, 'invalid --port "http": expected a port number from 1 to 65535'],
    ['a port with letters', {port: '80a'}, 'invalid --port "80a": expected a port number from 1 to 65535'],
    ['--max-failed negative', {maxFailed: '-1'}, 'invalid --max-failed "-1": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed above 100%', {maxFailed: '101%'}, 'invalid --max-failed "101%": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed a fraction without %', {maxFailed: '0.5'}, 'invalid --max-failed "0.5": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed a word', {maxFailed: 'some'}, 'invalid --max-failed "some": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed empty', {maxFailed: ''}, 'invalid --max-failed "": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed a bare %', {maxFailed: '%'}, 'invalid --max-failed "%": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed with a space', {maxFailed: '5 %'}, 'invalid --max-failed "5 %": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed above the most requests', {maxFailed: '100001'}, 'invalid --max-failed "100001": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
    ['--max-failed with a URL target too', {target: 'http://10.213.0.11:1/x', maxFailed: '1e2'}, 'invalid --max-failed "1e2": expected a number of requests (e.g. 3) or a percentage from 0% to 100% (e.g. 5%)'],
  ]
  for (const [name, overrides, message] of bad) {
    it(`${name}: a usage error`, () => {
      let error: unknown
      try {
        checkLbInput(input(overrides.target ?? 'web', overrides))
      } catch (caught) {
        error = caught
      }

      expect(error).to.be.instanceOf(UsageError)
      expect((error as UsageError).message).to.equal(message)
      expect((error as UsageError).exitCode).to.equal(2)
    })
  }
})

/** A local HTTP server that counts connections and requests in flight, answering with `handle`. */
interface Backend {
  url: string
  port: number
  requests: number
  connections: number
  maxInFlight: number
  close(): Promise<void>
}

async function backend(handle: (n: number, request: http.IncomingMessage, response: http.ServerResponse) => void, delayMs: (n: number) => number = () => 0): Promise<Backend> {
  let inFlight = 0
  const state = {requests: 0, connections: 0, maxInFlight: 0}
  const server = http.createServer((request, response) => {
    const n = ++state.requests
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    response.on('close', () => inFlight--)
    setTimeout(() => handle(n, request, response), delayMs(n))
  })
  server.on('connection', () => state.connections++)
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/hello`,
    port,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => {
        server.close(resolve)
      })
    },
  })
}

const answer = (response: http.ServerResponse, status: number, headers: Record<string, string>) => {
  response.writeHead(status, {'Content-Type': 'text/plain', ...headers})
  response.end('hello, world\n')
}

describe('lb: lbTest to a URL, from here', () => {
  const servers: Backend[] = []
  const serve = async (...args: Parameters<typeof backend>) => {
    const server = await backend(...args)
    servers.push(server)
    return server
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  const run = (url: string, overrides: Partial<LbInput> = {}, engine = managerEngine()) => lbTestChecked(fakeCluster(engine), input(url, overrides))
  const stable = ({latencyMs, durationMs, throughput, ...rest}: LbResult) => rest

  it('two of web\'s three tasks answer 7:3 (X-Served-By with short ids): named, shared, the third silent, the service noted', async () => {
    const server = await serve((n, _, response) => answer(response, 200, {'X-Served-By': n % 10 < 7 ? short(1) : short(2)}))
    const result = await run(server.url)
    expect(stable(result)).to.deep.equal({
      target: server.url, url: server.url, from: {where: 'here'}, requests: 10, answered: 10, failed: 0, failures: {}, allowedFailures: 0, statuses: {200: 10}, header: 'x-served-by',
      containers: [
        {id: short(1), count: 7, share: 70, deviation: 36.7, task: 'web.1', node: 'node-2'},
        {id: short(2), count: 3, share: 30, deviation: -3.3, task: 'web.2', node: 'node-3'},
      ],
      silent: ['web.3'], evenShare: 33.3, maxDeviation: 36.7,
      notes: ['every answer came from service web, which runs 3 task(s)'],
    })
    expect(server.requests).to.equal(10)
  })

  it('full 64-hex ids in the header map to tasks too; every task answering: nobody silent, the even share is a third', async () => {
    const server = await serve((n, _, response) => answer(response, 200, {'X-Served-By': cid(((n - 1) % 3) + 1)}))
    const result = await run(server.url, {requests: '9', concurrency: '3'})
    // 3/9 of the answers against an even 100/3 differ in the last bit: the deviation is -0 (JSON 0, rendered +0).
    expect(result.containers.map((c) => [c.task, c.node, c.count, c.share, c.deviation + 0]).sort()).to.deep.equal([['web.1', 'node-2', 3, 33.3, 0], ['web.2', 'node-3', 3, 33.3, 0], ['web.3', 'node-2', 3, 33.3, 0]])
    expect(result.containers.map((c) => c.id).sort()).to.deep.equal([cid(1), cid(2), cid(3)])
    expect(result.silent).to.deep.equal([])
    expect(result.evenShare).to.equal(33.3)
    expect(result.maxDeviation).to.equal(0)
  })

  it('statuses: 200s answer; 503s and 404s (HTTP errors) and connections the server closes are failed requests, counted by reason', async () => {
    const server = await serve((n, request, response) => {
      if (n % 5 === 0) request.socket.destroy()
      else if (n % 5 === 4) answer(response, 503, {'X-Served-By': short(2)})
      else if (n % 5 === 3) answer(response, 404, {})
      else answer(response, 200, {'X-Served-By': short(1)})
    })
    const result = await run(server.url, {requests: '20', concurrency: '3'})
    expect(result.requests).to.equal(20)
    expect(result.statuses).to.deep.equal({200: 8, 404: 4, 503: 4})
    expect(result.answered).to.equal(8)
    expect(result.failed).to.equal(12)
    // Equal counts in the order of their names: the same JSON from run to run.
    expect(Object.entries(result.failures)).to.deep.equal([['HTTP 404', 4], ['HTTP 503', 4], ['connection reset', 4]])
    // Who answered: those that answered well; web.2's only answers were 503s.
    expect(result.containers).to.deep.equal([{id: short(1), count: 8, share: 100, deviation: 66.7, task: 'web.1', node: 'node-2'}])
    expect(result.silent).to.deep.equal(['web.2', 'web.3'])
  })

  it('a 3xx answers (the redirect is not followed)', async () => {
    const server = await serve((_, __, response) => answer(response, 302, {Location: '/elsewhere', 'X-Served-By': short(1)}))
    const result = await run(server.url, {requests: '2', concurrency: '1'})
    expect(result).to.deep.include({answered: 2, failed: 0, failures: {}, statuses: {302: 2}})
    expect(server.requests).to.equal(2)
  })

  it('nothing listening: every request failed as refused, no containers, no spread, no latency, no throughput, no note', async () => {
    const gone = await backend(() => {})
    await gone.close()
    const result = await run(gone.url, {requests: '4', concurrency: '2'})
    expect(stable(result)).to.deep.equal({
      target: gone.url, url: gone.url, from: {where: 'here'}, requests: 4, answered: 0, failed: 4, failures: {'connection refused': 4}, allowedFailures: 0, statuses: {},
      containers: [], silent: [], evenShare: 100, maxDeviation: null, notes: [],
    })
    expect(result.latencyMs).to.deep.equal({min: null, p50: null, p90: null, p99: null, max: null, resolution: 0.001})
    expect(result.throughput).to.equal(0)
    expect(lbFailure(result)).to.equal('4 of 4 requests failed (connection refused: 4)')
  })

  it('why a request got no answer, by the error\'s code: a few kinds an operator can count', () => {
    const kinds = Object.fromEntries(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'HPE_INVALID_CONSTANT'].map((code) => [code, failureOf(Object.assign(new Error('x'), {code}))]))
    expect(kinds).to.deep.equal({
      ECONNREFUSED: 'connection refused', ENOTFOUND: 'DNS lookup failed', EAI_AGAIN: 'DNS lookup failed', ETIMEDOUT: 'timed out', ECONNRESET: 'connection reset', EPIPE: 'connection reset',
      EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', HPE_INVALID_CONSTANT: 'not an HTTP answer',
    })
    expect(failureOf(Object.assign(new Error('socket hang up\n  somewhere'), {code: 'EWHATEVER'}))).to.equal('socket hang up somewhere')
  })

  it('a server that never answers: the requests time out after the timeout, and say so', async () => {
    const server = await serve(() => {})
    const result = await lbTestChecked(fakeCluster(managerEngine(), {}, 200), input(server.url, {requests: '2', concurrency: '2'}))
    expect(result).to.deep.include({answered: 0, failed: 2, failures: {'timed out': 2}})
    expect(server.requests).to.equal(2)
  })

  it('--max-failed: failures up to the allowance pass, one more fails; the reasons and the allowance in the message', async () => {
    const server = await serve((n, _, response) => answer(response, n <= 2 ? 503 : 200, {'X-Served-By': short(1)}))
    const passing = await run(server.url, {requests: '10', concurrency: '1', maxFailed: '20%'})
    expect(passing).to.deep.include({answered: 8, failed: 2, failures: {'HTTP 503': 2}, allowedFailures: 2})
    expect(lbFailure(passing)).to.equal(undefined)
    server.requests = 0
    const failing = await run(server.url, {requests: '10', concurrency: '1', maxFailed: '1'})
    expect(failing).to.deep.include({failed: 2, allowedFailures: 1})
    expect(lbFailure(failing)).to.equal('2 of 10 requests failed (HTTP 503: 2); --max-failed allows 1')
  })

  it('latency percentiles are ordered and at least what the server waited; duration and throughput (answers only) are measured', async () => {
    const server = await serve((_, __, response) => answer(response, 200, {'X-Served-By': short(1)}), (n) => (n % 5) * 10)
    const result = await run(server.url, {requests: '20', concurrency: '2'})
    const {min, p50, p90, p99, max, resolution} = result.latencyMs as Record<string, number>
    for (const value of [min, p50, p90, p99, max]) expect(value).to.be.a('number')
    expect(resolution).to.equal(0.001)
    expect(min).to.be.at.least(0)
    expect(min).to.be.at.most(p50)
    expect(p50).to.be.at.most(p90)
    expect(p90).to.be.at.most(p99)
    expect(p99).to.be.at.most(max)
    expect(max).to.be.at.least(40)
    expect(result.durationMs).to.be.at.least(100)
    expect(result.throughput).to.be.greaterThan(0)
    expect(result.throughput).to.be.closeTo((20 / result.durationMs) * 1000, (20 / result.durationMs) * 1000 * 0.05 + 0.1)
  })

  for (const [requests, concurrency, expected] of [['12', '3', 3], ['6', '1', 1], ['2', '5', 2]] as const) {
    it(`${requests} requests at concurrency ${concurrency}: at most ${expected} at once on at most ${expected} connection(s), and exactly that many at the peak`, async () => {
      const server = await serve((_, __, response) => answer(response, 200, {'X-Served-By': short(1)}), () => 30)
      const result = await run(server.url, {requests, concurrency})
      expect(result.requests).to.equal(Number(requests))
      expect(result.statuses).to.deep.equal({200: Number(requests)})
      expect(server.requests).to.equal(Number(requests))
      expect(server.maxInFlight).to.equal(expected)
      expect(server.connections).to.equal(expected)
    })
  }

  it('the header is found among the known ones when not given (X-Container-Id)', async () => {
    const server = await serve((_, __, response) => answer(response, 200, {'X-Container-Id': short(3)}))
    const result = await run(server.url, {requests: '3', concurrency: '1'})
    expect(result.header).to.equal('x-container-id')
    expect(result.containers).to.deep.equal([{id: short(3), count: 3, share: 100, deviation: 66.7, task: 'web.3', node: 'node-2'}])
    expect(result.silent).to.deep.equal(['web.1', 'web.2'])
    expect(result.maxDeviation).to.equal(66.7)
  })

  it('a given --header wins over X-Served-By, and is reported in lower case', async () => {
    const server = await serve((_, __, response) => answer(response, 200, {'X-Served-By': short(1), 'X-Backend': short(2)}))
    const result = await run(server.url, {requests: '2', concurrency: '1', header: 'X-Backend'})
    expect(result.header).to.equal('x-backend')
    expect(result.containers.map((c) => c.task)).to.deep.equal(['web.2'])
  })

  it('no answer names its container: no header, no containers, and the note says to pass --header', async () => {
    const server = await serve((_, __, response) => answer(response, 200, {}))
    const result = await run(server.url, {requests: '3', concurrency: '1'})
    expect(stable(result)).to.deep.equal({
      target: server.url, url: server.url, from: {where: 'here'}, requests: 3, answered: 3, failed: 0, failures: {}, allowedFailures: 0, statuses: {200: 3},
      containers: [], silent: [], evenShare: 100, maxDeviation: null, notes: ['no answer named its container; pass --header NAME'],
    })
  })

  it('a given --header that no answer carries: the note names it', async () => {
    const server = await serve((_, __, response) => answer(response, 200, {'X-Served-By': short(1)}))
    const result = await run(server.url, {requests: '2', concurrency: '1', header: 'X-Backend'})
    expect(result.header).to.equal('x-backend')
    expect(result.containers).to.deep.equal([])
    expect(result.notes).to.deep.equal(['no answer named its container in x-backend; pass --header NAME'])
  })

  it('answers from containers that are no task (too short to be an id, or unknown): listed without task, no service, nobody silent', async () => {
    const server = await serve((n, _, response) => answer(response, 200, {'X-Served-By': n % 2 ? 'abc123' : '999999999999'}))
    const result = await run(server.url, {requests: '4', concurrency: '1'})
    expect(result.containers).to.deep.equal([
      {id: 'abc123', count: 2, share: 50, deviation: 0},
      {id: '999999999999', count: 2, share: 50, deviation: 0},
    ])
    expect(result.silent).to.deep.equal([])
    expect(result.notes).to.deep.equal([])
    expect(result.evenShare).to.equal(50)
  })

  it('answers from two services: each named, no single service, so nobody silent and no note', async () => {
    const server = await serve((n, _, response) => answer(response, 200, {'X-Served-By': n % 2 ? short(1) : short(4)}))
    const result = await run(server.url, {requests: '4', concurrency: '1'})
    expect(result.containers.map((c) => [c.task, c.node, c.count])).to.deep.equal([['web.1', 'node-2', 2], ['api.1', 'node-1', 2]])
    expect(result.silent).to.deep.equal([])
    expect(result.notes).to.deep.equal([])
    expect(result.evenShare).to.equal(50)
  })

  it('a global service\'s tasks are named by node', async () => {
    const global = serviceOf('svc-agent', 'agent', {mode: 'global'})
    const tasks = [taskOf('t-agent-a', global.id, 'n1', {containerId: cid(6)}), taskOf('t-agent-b', global.id, 'n3', {containerId: cid(7)})]
    const server = await serve((_, __, response) => answer(response, 200, {'X-Served-By': short(7)}))
    const result = await run(server.url, {requests: '2', concurrency: '1'}, managerEngine({}, [global], tasks))
    expect(result.containers.map((c) => [c.task, c.node])).to.deep.equal([['agent.node-3', 'node-3']])
    expect(result.silent).to.deep.equal(['agent.node-1'])
    expect(result.notes).to.deep.equal(['every answer came from service agent, which runs 2 task(s)'])
  })

  // The server sends its headers and part of the body, then closes the connection: the response
  // never ends, nothing listens for its error, and the socket timeout is gone with the socket.
  it('BUG: a server that closes the connection mid-body makes those requests fail; lbTest does not hang', async function () {
    this.timeout(10_000)
    const server = await serve((_, request, response) => {
      response.writeHead(200, {'Content-Length': '100', 'X-Served-By': short(1)})
      response.write('0123456789')
      setTimeout(() => request.socket.destroy(), 20)
    })
    // Were it to hang, mocha's 10 s timeout ends the test; nothing here races a clock.
    const outcome = await lbTestChecked(fakeCluster(managerEngine(), {}, 500), input(server.url, {requests: '3', concurrency: '1'}))
    expect(outcome.failures).to.deep.equal({'cut short': 3})
  })
})

describe('lb: lbTest to a service, from inside its network', () => {
  const PROBE = ['sh', '-c', 'command -v wget >/dev/null && command -v sed >/dev/null && command -v grep >/dev/null']
  const container = (digit: number, task: string): ContainerSummary => ({
    id: cid(digit), name: `${task}.abcdefghijklmnopqrstuvwxy`, image: web.image, state: 'running', labels: {'com.docker.swarm.task.name': `${task}.abcdefghijklmnopqrstuvwxy`},
  })

  interface Exec {
    node: string
    id: string
    command: string[]
    options?: {timeoutMs?: number}
  }

  /** Node engines whose one container on the network has the tools, and whose script run prints `stdout`. */
  function world(stdout: string, options: {manager?: Partial<Engine>; services?: ServiceSummary[]; stderr?: string; exitCode?: number} = {}) {
    const execs: Exec[] = []
    const listed: {node: string; filter: unknown}[] = []
    const nodeEngine = (name: string, containers: ContainerSummary[]) =>
      fakeEngine({
        target: `fake://${name}`,
        async listContainers(filter) {
          listed.push({node: name, filter})
          return containers
        },
        async exec(id, command, opts): Promise<ExecOutput> {
          execs.push({node: name, id, command, options: opts})
          if (command[3] === 'swarmnet-lb') return {exitCode: options.exitCode ?? 0, stdout: Buffer.from(stdout), stderr: options.stderr ?? ''}
          return {exitCode: command[2] === PROBE[2] ? 0 : 1, stdout: Buffer.from(''), stderr: ''}
        },
      })
    const cluster = fakeCluster(managerEngine(options.manager, options.services), {
      n1: nodeEngine('node-1', [container(4, 'api.1')]),
      n2: nodeEngine('node-2', [container(1, 'web.1')]),
      n3: nodeEngine('node-3', [container(2, 'web.2')]),
    }, 2000)
    return {cluster, execs, listed}
  }

  const ns = (ms: number) => `n${1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n}`
  const line = (ms: number, status: number, by: string, ip: string) => `@@ ${ns(0)} ${ns(ms)} ${status} ${by} ${ip}`
  const stable = ({durationMs, throughput, ...rest}: LbResult) => rest
  const VIP_NOTE = 'the service is reached through its VIP: IPVS balances (where the kernel has it)'

  it('through the VIP with nanosecond times: who answered, shares, the silent task, statuses and latency; the script gets (requests, concurrency, service, port, path, header)', async () => {
    const stdout = [
      'wget: server returned error: HTTP/1.1 500 Internal Server Error',
      line(10, 200, short(1), '10.0.1.2'),
      line(20, 200, short(1), '10.0.1.2'),
      line(30, 200, short(2), '10.0.1.2'),
      line(40, 200, short(1), '10.0.1.2'),
      line(50, 500, short(2), '10.0.1.2'),
      line(60, 0, '-', '10.0.1.2'),
      `${line(70, 0, '-', '-')} dns`,
      `${line(80, 0, '-', '10.0.1.2')} refused`,
      `${line(90, 0, '-', '10.0.1.2')} timed_out`,
      `${line(95, 0, '-', '10.0.1.2')} bad_address`,
      '',
    ].join('\n')
    const {cluster, execs, listed} = world(stdout)
    const result = await lbTestChecked(cluster, input('web', {requests: '10', concurrency: '2', path: '/hello'}))
    expect(stable(result)).to.deep.equal({
      target: 'web', url: 'http://web:8080/hello', from: {where: 'inside', node: 'node-1', container: `api.1 (${short(4)})`},
      requests: 10, answered: 4, failed: 6, allowedFailures: 0, statuses: {200: 4, 500: 1}, header: 'X-Served-By',
      failures: {'DNS lookup failed': 2, 'HTTP 500': 1, 'connection refused': 1, 'no answer': 1, 'timed out': 1},
      containers: [
        {id: short(1), count: 3, share: 75, deviation: 41.7, task: 'web.1', node: 'node-2'},
        {id: short(2), count: 1, share: 25, deviation: -8.3, task: 'web.2', node: 'node-3'},
      ],
      silent: ['web.3'], evenShare: 33.3, maxDeviation: 41.7,
      latencyMs: {min: 10, p50: 20, p90: 40, p99: 40, max: 40, resolution: 0.001},
      notes: [VIP_NOTE],
    })
    // The first node (in the swarm's order) running a task on the network: node-1, with api.1.
    expect(cluster.asked).to.deep.equal(['n1'])
    expect(listed).to.deep.equal([{node: 'node-1', filter: {network: 'app'}}])
    expect(execs.map((e) => [e.node, e.id, e.command.slice(0, 3)])).to.deep.equal([['node-1', cid(4), PROBE], ['node-1', cid(4), ['sh', '-c', execs[1].command[2]]]])
    expect(execs[1].command.slice(3)).to.deep.equal(['swarmnet-lb', '10', '2', 'web', '8080', '/hello', 'X-Served-By'])
    expect(execs[1].options).to.deep.equal({timeoutMs: 30_000 + 5 * 10_000})
    expect(execs[1].command[2]).to.include('echo "@@ $s $e ${st:-0} ${by:--} ${ip:--} ${why:--}"')
  })

  it('dnsrr with /proc/uptime times (c<centiseconds>): counted by the task IP asked, 10 ms resolution and both notes', async () => {
    const stdout = ['@@ c171234500 c171234502 200 - 10.0.1.5', '@@ c171234500 c171234503 200 - 10.0.1.6', '@@ c171234500 c171234501 200 - 10.0.1.5', '@@ c171234500 c171234504 200 - 10.0.1.7'].join('\n')
    const dnsrr = {...web, endpointMode: 'dnsrr', networks: [{id: APP.id}]}
    const {cluster} = world(stdout, {services: [dnsrr, api]})
    const result = await lbTestChecked(cluster, input('web', {requests: '4', concurrency: '4'}))
    expect(stable(result)).to.deep.equal({
      target: 'web', url: 'http://web:8080/', from: {where: 'inside', node: 'node-1', container: `api.1 (${short(4)})`},
      requests: 4, answered: 4, failed: 0, failures: {}, allowedFailures: 0, statuses: {200: 4}, header: 'X-Served-By',
      containers: [
        {id: short(1), count: 2, share: 50, deviation: 16.7, task: 'web.1', node: 'node-2'},
        {id: short(2), count: 1, share: 25, deviation: -8.3, task: 'web.2', node: 'node-3'},
        {id: short(3), count: 1, share: 25, deviation: -8.3, task: 'web.3', node: 'node-2'},
      ],
      silent: [], evenShare: 33.3, maxDeviation: 16.7,
      latencyMs: {min: 10, p50: 20, p90: 40, p99: 40, max: 40, resolution: 10},
      notes: ['latency measured with /proc/uptime inside the container: 10 ms resolution', "dnsrr: each request resolves the name anew and takes the DNS answer's first task IP (clients that sort addresses, such as glibc's, may stick to one task)"],
    })
  })

  it('--from, --port, --header and a path with a query go to the node and the script as given', async () => {
    const {cluster, execs} = world(line(5, 200, short(2), '10.0.1.2'))
    const result = await lbTestChecked(cluster, input('web', {requests: '1', concurrency: '1', from: 'node-3', port: '9000', header: 'X-Backend', path: '/api/v1?x=1'}))
    expect(cluster.asked).to.deep.equal(['n3'])
    expect(result.from).to.deep.equal({where: 'inside', node: 'node-3', container: `web.2 (${short(2)})`})
    expect(result.url).to.equal('http://web:9000/api/v1?x=1')
    expect(result.header).to.equal('X-Backend')
    expect(execs[1].command.slice(3)).to.deep.equal(['swarmnet-lb', '1', '1', 'web', '9000', '/api/v1?x=1', 'X-Backend'])
  })

  it('the port: the first published port\'s target port, else the image\'s first EXPOSE, else a usage error', async () => {
    const bare = {...web, ports: []}
    const exposed = world(line(5, 200, short(1), '10.0.1.2'), {services: [bare], manager: {imageExposedPorts: async () => [{port: 3000, protocol: 'tcp'}, {port: 3001, protocol: 'tcp'}]}})
    expect((await lbTestChecked(exposed.cluster, input('web', {requests: '1', concurrency: '1'}))).url).to.equal('http://web:3000/')
    expect(exposed.execs[1].command[7]).to.equal('3000')
    const none = world('', {services: [bare], manager: {imageExposedPorts: async () => []}})
    const error = await fails(lbTestChecked(none.cluster, input('web')))
    expect(error).to.be.instanceOf(UsageError)
    expect(error.message).to.equal('which port does web listen on? its image declares none here; pass --port')
    const missing = world('', {services: [bare], manager: {imageExposedPorts: async () => undefined}})
    expect((await fails(lbTestChecked(missing.cluster, input('web')))).message).to.equal('which port does web listen on? its image declares none here; pass --port')
  })

  it('--network: by name or id among the service\'s own overlays; another one is a usage error naming them', async () => {
    const byName = world(line(5, 200, short(1), '10.0.1.2'))
    expect((await lbTestChecked(byName.cluster, input('web', {requests: '1', concurrency: '1', network: 'app'}))).answered).to.equal(1)
    const byId = world(line(5, 200, short(1), '10.0.1.2'))
    expect((await lbTestChecked(byId.cluster, input('web', {requests: '1', concurrency: '1', network: 'net-app'}))).answered).to.equal(1)
    const error = await fails(lbTestChecked(world('').cluster, input('web', {network: 'proxy'})))
    expect(error).to.be.instanceOf(UsageError)
    expect(error.message).to.equal('service web is not on network "proxy"; it is on app')
    expect((await fails(lbTestChecked(world('').cluster, input('web', {network: 'ingress'})))).message).to.equal('service web is not on network "ingress"; it is on app')
  })

  it('a service only on the ingress network: nothing can reach it from inside an overlay', async () => {
    const published = {...web, networks: [{id: INGRESS.id, vip: '10.0.0.5'}]}
    const error = await fails(lbTestChecked(world('', {services: [published]}).cluster, input('web')))
    expect(error).not.to.be.instanceOf(UsageError)
    expect(error.message).to.equal('service web is on no overlay network, so nothing can reach it from inside one; test a URL instead')
  })

  it('an unknown service lists the swarm\'s services', async () => {
    const error = await fails(lbTestChecked(world('').cluster, input('nope')))
    expect(error).to.be.instanceOf(UsageError)
    expect(error.message).to.equal('unknown service "nope"; the swarm\'s services are web, api')
  })

  it('no request line in the output: an error with the container, the node and stderr (or the exit code)', async () => {
    const withStderr = world('Connecting to web:8080\n', {stderr: 'sh: nslookup: not found\n', exitCode: 127})
    const error = await fails(lbTestChecked(withStderr.cluster, input('web')))
    expect(error).to.be.instanceOf(SwarmnetError)
    expect(error.message).to.equal(`no request ran in api.1 (${short(4)}) on node-1: sh: nslookup: not found`)
    const silent = world('', {exitCode: 137})
    expect((await fails(lbTestChecked(silent.cluster, input('web')))).message).to.equal(`no request ran in api.1 (${short(4)}) on node-1: exit 137`)
  })

  it('dnsrr answers without the header: counted by the task IP asked, an unknown IP under itself', async () => {
    const dnsrr = {...web, endpointMode: 'dnsrr', networks: [{id: APP.id}]}
    const {cluster} = world([line(5, 200, '-', '10.0.1.6'), line(5, 200, '-', '10.0.1.99'), line(5, 200, '-', '-')].join('\n'), {services: [dnsrr, api]})
    const result = await lbTestChecked(cluster, input('web', {requests: '3', concurrency: '1'}))
    expect(result.answered).to.equal(3)
    expect(result.containers.map((c) => ({...c, deviation: c.deviation + 0}))).to.deep.equal([
      {id: short(2), count: 1, share: 33.3, deviation: 0, task: 'web.2', node: 'node-3'},
      {id: '10.0.1.99', count: 1, share: 33.3, deviation: 0},
    ])
    expect(result.silent).to.deep.equal(['web.1', 'web.3'])
  })

  // Through the VIP, the address asked is the VIP itself: without the header nothing says which task
  // answered, yet the VIP is counted as one "container" that took every answer, every task is called
  // silent, and the note that would say "pass --header" is not given (there is a count).
  it('BUG: through the VIP with no X-Served-By in the answers: no task is called silent, and the note says to pass --header', async () => {
    const {cluster} = world([line(5, 200, '-', '10.0.1.2'), line(6, 200, '-', '10.0.1.2'), line(7, 200, '-', '10.0.1.2')].join('\n'))
    const result = await lbTestChecked(cluster, input('web', {requests: '3', concurrency: '1'}))
    expect(result.silent).to.deep.equal([])
    expect(result.notes).to.include('no answer named its container in X-Served-By; pass --header NAME')
  })

  it('the exec is bounded by 30 s plus 10 s per request a worker makes, at most 30 minutes', async () => {
    const {cluster, execs} = world(line(5, 200, short(1), '10.0.1.2'))
    await lbTestChecked(cluster, input('web', {requests: '100000', concurrency: '1'}))
    expect(execs[1].options).to.deep.equal({timeoutMs: 30 * 60_000})
    const {cluster: c2, execs: e2} = world(line(5, 200, short(1), '10.0.1.2'))
    await lbTestChecked(c2, input('web', {requests: '7', concurrency: '3'}))
    expect(e2[1].options).to.deep.equal({timeoutMs: 30_000 + 3 * 10_000})
  })
})
