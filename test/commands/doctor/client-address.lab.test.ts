import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {labVars, removeServicesAndNetworks} from '../../helpers/lab.js'
import {ok} from '../../helpers/proxy-lab.js'

const HIDDEN = "proxy publishes 80, 443 in ingress mode: the routing mesh replaces each client's address with its own, so the proxy, its logs and the services behind it never see the client's IP (moby/moby#25526)"
const FIX = 'publish in host mode: `swarmnet proxy up --publish-mode host --update` (or `docker service update --publish-rm 80 --publish-add mode=host,target=80,published=80 --publish-rm 443 --publish-add mode=host,target=443,published=443 proxy`)'

/** doctor --json's swarm-wide findings, whether it exited 0 or 1. */
async function swarmFindings(env: Record<string, string | undefined>): Promise<{name: string; subject: string; status: string; detail: string; hint?: string}[]> {
  const result = await swarmnet(['doctor', '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.swarm, result.stdout + result.stderr).to.be.an('array')
  return body.swarm
}

/**
 * The client address (moby/moby#25526): a proxy published through the routing mesh hides it, and
 * proxy status, map and doctor say so with the host-mode fix; published in host mode, none does.
 */
describe('the client address a proxy in ingress mode hides', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(120_000)
    env = await labVars()
    await removeServicesAndNetworks(['proxy'], ['proxy'])
  })
  after(async function () {
    this.timeout(120_000)
    await removeServicesAndNetworks(['proxy'], ['proxy'])
  })

  it('published in ingress mode: proxy status, map and doctor say the client address is hidden, with the fix', async () => {
    await ok(['proxy', 'up', '--publish-mode', 'ingress'], env)

    const status = await ok(['proxy', 'status', '--json'], env)
    expect(status.clientAddress).to.deep.equal({code: 'client-address-hidden', service: 'proxy', ports: [80, 443], message: HIDDEN, fix: FIX})
    const human = await swarmnet(['proxy', 'status'], {env})
    expect(human.stdout).to.include(`Warning: ${HIDDEN}; ${FIX}.`)

    const map = await ok(['map', '--json'], env)
    expect(map.clientAddress).to.deep.include({ports: [80, 443], message: HIDDEN})
    expect(map.problems).to.deep.include({subject: 'ingress', message: `${HIDDEN}; ${FIX}`})
    const tree = await swarmnet(['map'], {env})
    expect(tree.stdout).to.include(`✗ ingress: ${HIDDEN}; ${FIX}`)

    const findings = await swarmFindings(env)
    expect(findings.filter((f) => f.name === 'client-address')).to.deep.equal([{name: 'client-address', subject: 'service proxy', status: 'warn', detail: HIDDEN, hint: FIX}])
  })

  it('published in host mode (the fix): none says it, and doctor passes the check', async () => {
    await ok(['proxy', 'up', '--publish-mode', 'host', '--update'], env)

    const status = await ok(['proxy', 'status', '--json'], env)
    expect(status).not.to.have.property('clientAddress')
    expect((await swarmnet(['proxy', 'status'], {env})).stdout).not.to.include('client')
    const map = await ok(['map', '--json'], env)
    expect(map).not.to.have.property('clientAddress')
    expect(map.problems).to.deep.equal([])
    const findings = await swarmFindings(env)
    expect(findings.filter((f) => f.name === 'client-address')).to.deep.equal([{name: 'client-address', subject: 'service proxy', status: 'pass', detail: "publishes 80, 443 in host mode: it sees each client's address"}])
    expect(findings.filter((f) => f.status === 'warn' || f.status === 'fail')).to.deep.equal([])
  })
})
