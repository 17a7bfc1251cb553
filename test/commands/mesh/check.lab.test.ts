import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, labVars, nodeIp, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, running} from '../../helpers/proxy-lab.js'

describe('swarmnet mesh check', function () {
  this.timeout(180_000)
  let env: Record<string, string | undefined>
  const services = ['web-ingress', 'web-host']

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    await removeServicesAndNetworks(services, ['meshnet'])
    await ok(['network', 'create', 'meshnet'], env)
    await createService('web-ingress', ['--network', 'meshnet', '--publish', '9090:8080'])
    await createService('web-host', ['--network', 'meshnet', '--replicas', '2', '--publish', 'mode=host,published=9091,target=8080'])
    await running('web-ingress', 1)
    await running('web-host', 2)
  })
  after(async () => removeServicesAndNetworks(services, ['meshnet']))

  it('an ingress-published port answers on no node here, and it says why (no IPVS); exit 1', async () => {
    const result = await swarmnet(['mesh', 'check', 'web-ingress', '--json'], {env})
    expect(result.code).to.equal(1)
    const {probes, verdicts} = result.json.error.details
    expect(probes.map((p: {node: string; result: string; mode: string}) => [p.node, p.mode, p.result])).to.deep.equal(LAB_NODES.map((n) => [n, 'ingress', 'refused']))
    expect(probes.filter((p: {runsTask: boolean}) => p.runsTask)).to.have.length(1)
    expect(verdicts).to.deep.equal([{service: 'web-ingress', port: 9090, mode: 'ingress', answering: [], withTasks: [probes.find((p: {runsTask: boolean}) => p.runsTask).node], ok: false, diagnosis: 'ingress: no node answers, because this kernel has no IPVS: the routing mesh cannot forward here; publish with mode=host'}])
    expect(result.json.error.message).to.equal('web-ingress :9090: ingress: no node answers, because this kernel has no IPVS: the routing mesh cannot forward here; publish with mode=host')
  })

  it('a host-mode port answers exactly where tasks run, named by the answering task; exit 0', async () => {
    const result = await ok(['mesh', 'check', 'web-host', '--path', '/demo/hello', '--json'], env)
    const withTasks = result.probes.filter((p: {runsTask: boolean}) => p.runsTask)
    expect(withTasks).to.have.length(2)
    for (const p of result.probes) {
      expect(p.result, p.node).to.equal(p.runsTask ? 'answered' : 'refused')
      if (p.runsTask) expect(p.answeredBy, p.node).to.match(/^web-host\.[12]$/)
      if (p.runsTask) expect(p.status).to.equal(200)
    }

    expect(result.verdicts[0]).to.deep.include({ok: true, diagnosis: `host mode: exactly the 2 node(s) running a task answer (${withTasks.map((p: {node: string}) => p.node).join(', ')}), as host-mode publishing does`})
  })

  it('--port finds the service that publishes it', async () => {
    const result = await ok(['mesh', 'check', '--port', '9091', '--json'], env)
    expect(result.verdicts.map((v: {service: string; port: number}) => [v.service, v.port])).to.deep.equal([['web-host', 9091]])
    const human = await swarmnet(['mesh', 'check', '--port', '9091'], {env})
    expect(human.stdout).to.match(new RegExp(`^node-\\d +${nodeIp('node-1').slice(0, -1).replaceAll('.', '\\.')}\\d +9091 +host `, 'm'))
  })

  const bad: [string, string[], RegExp][] = [
    ['a port no service publishes', ['mesh', 'check', '--port', '9999'], /^no service publishes port 9999; published ports: 9091 \(web-host\), 9090 \(web-ingress\)$/],
    ['an unknown service', ['mesh', 'check', 'nope'], /^unknown service "nope"; the swarm's services are /],
    ['neither SERVICE nor --port', ['mesh', 'check'], /^give a SERVICE or --port PORT \(one of them\)$/],
    ['both SERVICE and --port', ['mesh', 'check', 'web-host', '--port', '9091'], /^give a SERVICE or --port PORT \(one of them\)$/],
    ['--port 0', ['mesh', 'check', '--port', '0'], /^invalid --port "0": expected a port number from 1 to 65535$/],
  ]
  for (const [name, args, error] of bad) {
    it(`bad input: ${name}, exit 2`, async () => {
      const result = await swarmnet(args, {env})
      expect(result.code, result.stderr).to.equal(2)
      expect(result.stderr.slice('Error: '.length).trimEnd()).to.match(error)
    })
  }

  it('a service that publishes nothing: exit 2, pointing at lb test', async () => {
    await createService('web-quiet', ['--network', 'meshnet'])
    try {
      const result = await swarmnet(['mesh', 'check', 'web-quiet'], {env})
      expect([result.code, result.stderr]).to.deep.equal([2, 'Error: service web-quiet publishes no TCP port; publish one (docker service update --publish-add ...) or test it from inside: swarmnet lb test web-quiet\n'])
    } finally {
      await removeServicesAndNetworks(['web-quiet'], [])
    }
  })
})
