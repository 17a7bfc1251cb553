import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, nodeIp, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {ok, proxyWithGoDemo} from '../../helpers/proxy-lab.js'

describe('swarmnet lb test', function () {
  this.timeout(180_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(300_000)
    env = await proxyWithGoDemo(3, {route: true})
  })
  after(async () => removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy']))

  it('a 3-task dnsrr service, from inside its network: all three answer, each with at least 15% of 150 requests (an even share is 33%)', async () => {
    const result = await ok(['lb', 'test', 'go-demo', '--path', '/demo/hello', '--requests', '150', '--concurrency', '3', '--json'], env)
    expect(result).to.deep.include({requests: 150, answered: 150, failed: 0, failures: {}, statuses: {200: 150}, silent: [], evenShare: 33.3})
    expect(result.from.where).to.equal('inside')
    expect(result.containers).to.have.length(3)
    expect(result.containers.map((c: {task: string}) => c.task).sort()).to.deep.equal(['go-demo.1', 'go-demo.2', 'go-demo.3'])
    for (const c of result.containers) expect(c.share, c.task).to.be.at.least(15)
    expect(result.containers.reduce((n: number, c: {count: number}) => n + c.count, 0)).to.equal(150)
    expect(result.latencyMs.p50).to.be.at.most(result.latencyMs.p90)
    expect(result.latencyMs.p90).to.be.at.most(result.latencyMs.p99)
    // The table's numbers (shares such as 43.3%) vary from run to run: the JSON above holds them; here,
    // only what is certain of 30 requests that all answer.
    const human = await swarmnet(['lb', 'test', 'go-demo', '--path', '/demo/hello', '-n', '30'], {env})
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).to.match(/ 30 requests from .+: 30 answered in \d+ ms/)
    expect(human.stdout).to.match(/^status 200: 30 +latency p50 /m)
    expect(human.stdout).to.match(/^go-demo\.\d \(\w{12}\) +node-\d +█+ /m)
    expect(human.stdout).not.to.match(/^failed/m)
  })

  it('through the proxy: every answer from go-demo, and the tasks the proxy never sends to are named', async () => {
    const result = await ok(['lb', 'test', `http://${nodeIp('node-2')}/demo/hello`, '--requests', '200', '--concurrency', '8', '--json'], env)
    expect(result).to.deep.include({requests: 200, answered: 200, failed: 0, failures: {}, statuses: {200: 200}, header: 'x-served-by', evenShare: 33.3})
    expect(result.from).to.deep.equal({where: 'here'})
    const answering = result.containers.map((c: {task: string}) => c.task)
    for (const task of answering) expect(task).to.match(/^go-demo\.\d$/)
    expect([...answering, ...result.silent].sort()).to.deep.equal(['go-demo.1', 'go-demo.2', 'go-demo.3'])
    expect(result.notes).to.include('every answer came from service go-demo, which runs 3 task(s)')
    expect(result.throughput).to.be.greaterThan(0)
  })

  /** A run where every request failed: exit 1, the reason in the one-line error, the whole result in --json's error details. */
  async function allFailed(args: string[], requests: number, reason: string) {
    const human = await swarmnet([...args, '-n', String(requests)], {env})
    expect(human.code, human.stderr).to.equal(1)
    expect(human.stderr.trimEnd()).to.equal(`Error: ${requests} of ${requests} requests failed (${reason}: ${requests})`)
    expect(human.stdout).to.include(`: 0 answered, ${requests} failed in`)
    expect(human.stdout).to.include(`failed ${requests} of ${requests}: ${reason}: ${requests}`)
    expect(human.stdout).not.to.include('p50')
    const json = await swarmnet([...args, '-n', String(requests), '--json'], {env})
    expect(json.code, json.stderr).to.equal(1)
    expect(json.json.error).to.deep.include({code: 'ERUNTIME', exitCode: 1, message: `${requests} of ${requests} requests failed (${reason}: ${requests})`})
    const details = json.json.error.details
    expect(details).to.deep.include({requests, answered: 0, failed: requests, failures: {[reason]: requests}, allowedFailures: 0, statuses: {}, containers: [], maxDeviation: null, throughput: 0})
    expect(details.latencyMs).to.deep.include({min: null, p50: null, p90: null, p99: null, max: null})
    return details
  }

  it('a closed port from here: exit 1, every request refused, no rate and no latency', async () => {
    await allFailed(['lb', 'test', `http://${nodeIp('node-1')}:1/x`], 20, 'connection refused')
  })

  it('a host name that does not resolve: exit 1, every request a failed DNS lookup', async () => {
    await allFailed(['lb', 'test', 'http://swarmnet-no-such-host.invalid/x'], 5, 'DNS lookup failed')
  })

  it('a service on a port it does not listen on, from inside its network: exit 1, every request refused', async () => {
    const details = await allFailed(['lb', 'test', 'go-demo', '--port', '1'], 6, 'connection refused')
    expect(details.from.where).to.equal('inside')
  })

  it('through the proxy to a path with no route: the proxy\'s HTTP error statuses are failed requests', async () => {
    const result = await swarmnet(['lb', 'test', `http://${nodeIp('node-2')}/swarmnet-no-route`, '-n', '10', '--json'], {env})
    expect(result.code, result.stderr).to.equal(1)
    const details = result.json.error.details
    expect(details).to.deep.include({requests: 10, answered: 0, failed: 10})
    expect(Object.keys(details.failures)).to.have.length.above(0)
    for (const reason of Object.keys(details.failures)) expect(reason).to.match(/^HTTP [45]\d\d$/)
    expect(details.failures).to.deep.equal(Object.fromEntries(Object.entries(details.statuses).map(([status, n]) => [`HTTP ${status}`, n])))
  })

  it('--max-failed 100% lets a run where every request failed pass (exit 0), and still counts them', async () => {
    const result = await ok(['lb', 'test', `http://${nodeIp('node-1')}:1/x`, '-n', '4', '--max-failed', '100%', '--json'], env)
    expect(result).to.deep.include({requests: 4, answered: 0, failed: 4, allowedFailures: 4, failures: {'connection refused': 4}})
  })

  const bad: [string, string[], RegExp][] = [
    ['an unknown service', ['lb', 'test', 'nope'], /^unknown service "nope"; the swarm's services are go-demo, proxy$/],
    ['--requests 0', ['lb', 'test', 'go-demo', '--requests', '0'], /^invalid --requests "0": expected a whole number from 1 to 100000$/],
    ['--requests -5', ['lb', 'test', 'go-demo', '--requests=-5'], /^invalid --requests "-5": expected a whole number from 1 to 100000$/],
    ['--concurrency 0', ['lb', 'test', 'go-demo', '--concurrency', '0'], /^invalid --concurrency "0": expected a whole number from 1 to 256$/],
    ['--max-failed lots', ['lb', 'test', `http://${nodeIp('node-1')}:1/x`, '--max-failed', 'lots'], /^invalid --max-failed "lots": expected a number of requests \(e\.g\. 3\) or a percentage from 0% to 100% \(e\.g\. 5%\)$/],
    ['--port with a URL', ['lb', 'test', 'http://10.213.0.11/', '--port', '80'], /^--port goes with a service TARGET, not a URL$/],
    ['an https URL', ['lb', 'test', 'https://10.213.0.11/'], /^invalid TARGET "https:\/\/10\.213\.0\.11\/": only http:\/\/ URLs are supported$/],
    ['a network the service is not on', ['lb', 'test', 'go-demo', '--network', 'ingress'], /^service go-demo is not on network "ingress"; it is on proxy$/],
  ]
  for (const [name, args, error] of bad) {
    it(`bad input: ${name}, exit 2`, async () => {
      const result = await swarmnet(args, {env})
      expect(result.code, result.stderr).to.equal(2)
      expect(result.stderr.trimEnd().split('\n')).to.have.length(1)
      expect(result.stderr.slice('Error: '.length).trimEnd()).to.match(error)
    })
  }

  it('leaves no helper container behind on any node', async () => {
    for (const node of LAB_NODES) expect((await onNode(node, ['ps', '-aq', '--filter', 'label=org.swarmnet.helper'])).trim(), node).to.equal('')
  })
})
