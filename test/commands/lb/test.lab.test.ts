import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, labVars, nodeIp, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, running} from '../../helpers/proxy-lab.js'

describe('swarmnet lb test', function () {
  this.timeout(180_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
    await ok(['proxy', 'up'], env)
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '3'])
    await running('go-demo', 3)
    await ok(['route', 'add', 'go-demo', '/demo', '8080'], env)
  })
  after(async () => removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy']))

  it('a 3-task dnsrr service, from inside its network: all three answer, each with at least 15% of 150 requests (an even share is 33%)', async () => {
    const result = await ok(['lb', 'test', 'go-demo', '--path', '/demo/hello', '--requests', '150', '--concurrency', '3', '--json'], env)
    expect(result).to.deep.include({requests: 150, answered: 150, failed: 0, statuses: {200: 150}, silent: [], evenShare: 33.3})
    expect(result.from.where).to.equal('inside')
    expect(result.containers).to.have.length(3)
    expect(result.containers.map((c: {task: string}) => c.task).sort()).to.deep.equal(['go-demo.1', 'go-demo.2', 'go-demo.3'])
    for (const c of result.containers) expect(c.share, c.task).to.be.at.least(15)
    expect(result.containers.reduce((n: number, c: {count: number}) => n + c.count, 0)).to.equal(150)
    expect(result.latencyMs.p50).to.be.at.most(result.latencyMs.p90)
    expect(result.latencyMs.p90).to.be.at.most(result.latencyMs.p99)
    const human = await swarmnet(['lb', 'test', 'go-demo', '--path', '/demo/hello', '-n', '30'], {env})
    expect(human.stdout).to.match(/^go-demo\.\d \(\w{12}\) +node-\d +█+ +\d+ +\d+%/m)
    expect(human.stdout).to.match(/latency p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms/)
  })

  it('through the proxy: every answer from go-demo, and the tasks the proxy never sends to are named', async () => {
    const result = await ok(['lb', 'test', `http://${nodeIp('node-2')}/demo/hello`, '--requests', '200', '--concurrency', '8', '--json'], env)
    expect(result).to.deep.include({requests: 200, answered: 200, statuses: {200: 200}, header: 'x-served-by', evenShare: 33.3})
    expect(result.from).to.deep.equal({where: 'here'})
    const answering = result.containers.map((c: {task: string}) => c.task)
    for (const task of answering) expect(task).to.match(/^go-demo\.\d$/)
    expect([...answering, ...result.silent].sort()).to.deep.equal(['go-demo.1', 'go-demo.2', 'go-demo.3'])
    expect(result.notes).to.include('every answer came from service go-demo, which runs 3 task(s)')
    expect(result.throughput).to.be.greaterThan(0)
  })

  const bad: [string, string[], RegExp][] = [
    ['an unknown service', ['lb', 'test', 'nope'], /^unknown service "nope"; the swarm's services are go-demo, proxy$/],
    ['--requests 0', ['lb', 'test', 'go-demo', '--requests', '0'], /^invalid --requests "0": expected a whole number from 1 to 100000$/],
    ['--requests -5', ['lb', 'test', 'go-demo', '--requests=-5'], /^invalid --requests "-5": expected a whole number from 1 to 100000$/],
    ['--concurrency 0', ['lb', 'test', 'go-demo', '--concurrency', '0'], /^invalid --concurrency "0": expected a whole number from 1 to 256$/],
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
