import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, eventually, labVars, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, running} from '../../helpers/proxy-lab.js'

// The host side, injected on node-2 only (a route or an iptables rule in its namespace is seen by no
// other node, environment-facts.md): a route over docker_gwbridge's range and over an overlay's
// subnet, and a DROP in DOCKER-USER for a host-mode published port. doctor must name each on node-2,
// with its fix, and nothing once it is gone. Table pressure cannot be made here (nf_conntrack_max is
// read-only in a node's namespace, gc_thresh absent there): host-checks.test.ts tests it on recordings.

const NETWORK = 'hostnet'
const SUBNET = '10.123.0.0/24'
const SERVICE = 'hostpub'
const PORT = 8080
const ROUTES = ['10.123.0.0/16 via 10.213.0.1', '172.17.200.0/24 via 10.213.0.1']
const DROP = ['-p', 'tcp', '--dport', String(PORT), '-j', 'DROP']
const HOST_CHECKS = ['routes', 'forward', 'tables', 'keepalive', 'offload']

interface Check {name: string; status: string; detail: string; hint?: string}
interface Report {node: string; checks: Check[]}

const inNode2 = (...args: string[]) => execFileSync('ip', ['netns', 'exec', 'swarmnet-node-2', ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})

/** Removes what this file injects, whatever a killed run left. */
function clean(): void {
  for (const route of ROUTES) {
    try {
      inNode2('ip', 'route', 'del', ...route.split(' '))
    } catch {} // not there
  }

  for (;;) {
    try {
      inNode2('iptables', '-D', 'DOCKER-USER', ...DROP)
    } catch {
      break // no (more) such rule
    }
  }
}

async function doctor(env: Record<string, string | undefined>, checks: string[]): Promise<{code: number; nodes: Report[]}> {
  const result = await swarmnet(['doctor', ...checks.flatMap((c) => ['--check', c]), '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.nodes, result.stdout + result.stderr).to.be.an('array')
  return {code: result.code, nodes: body.nodes}
}

const checkOf = (nodes: Report[], node: string, name: string) => nodes.find((n) => n.node === node)!.checks.find((c) => c.name === name)!

describe('swarmnet doctor: the host side (routes, the forwarding path)', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    clean()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
    await onNode('node-1', ['network', 'create', '-d', 'overlay', '--subnet', SUBNET, NETWORK])
    // On an overlay, so the task has a docker_gwbridge endpoint to publish through (the lab runs --bridge none).
    await createService(SERVICE, ['--network', NETWORK, '--constraint', 'node.hostname==node-2', '--publish', `mode=host,published=${PORT},target=${PORT}`])
    await running(SERVICE, 1)
    await eventually(`node-2 publishes ${PORT}`, () => inNode2('iptables-save', '-t', 'nat').includes(`--dport ${PORT} -j DNAT`))
  })

  after(async () => {
    clean()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
  })

  it('a healthy lab: the host checks raise nothing', async () => {
    const {nodes} = await doctor(env, HOST_CHECKS)
    for (const node of LAB_NODES) {
      for (const name of HOST_CHECKS) expect(checkOf(nodes, node, name).status, `${node} ${name}: ${checkOf(nodes, node, name).detail}`).to.be.oneOf(['pass', 'skip'])
    }

    expect(checkOf(nodes, 'node-2', 'forward')).to.deep.include({status: 'pass'})
    expect(checkOf(nodes, 'node-2', 'forward').detail).to.include(`${PORT}/tcp`)
  })

  it('routes over docker_gwbridge and an overlay on node-2: fail there, with the routes and the fix; gone once removed', async () => {
    for (const route of ROUTES) inNode2('ip', 'route', 'add', ...route.split(' '))
    const {code, nodes} = await doctor(env, ['routes'])
    expect(code).to.equal(1)
    const check = checkOf(nodes, 'node-2', 'routes')
    expect(check.status, check.detail).to.equal('fail')
    expect(check.detail).to.include('route 172.17.200.0/24 via 10.213.0.1 dev eth0 overlaps docker_gwbridge (172.17.0.0/16)')
    expect(check.detail).to.include(`route 10.123.0.0/16 via 10.213.0.1 dev eth0 overlaps overlay ${NETWORK} (${SUBNET})`)
    expect(check.hint).to.include('--subnet <free range>').and.include(`recreate ${NETWORK} with a --subnet clear of 10.123.0.0/16`)
    for (const other of ['node-1', 'node-3']) expect(checkOf(nodes, other, 'routes').status, other).to.equal('pass')

    clean()
    const after = await doctor(env, ['routes'])
    for (const node of LAB_NODES) expect(checkOf(after.nodes, node, 'routes').status, node).to.equal('pass')
  })

  it('a DROP in DOCKER-USER for the published port on node-2: fail there, naming the rule and how to remove it; gone once removed', async () => {
    inNode2('iptables', '-I', 'DOCKER-USER', ...DROP)
    const {code, nodes} = await doctor(env, ['forward'])
    expect(code).to.equal(1)
    const check = checkOf(nodes, 'node-2', 'forward')
    expect(check.status, check.detail).to.equal('fail')
    expect(check.detail).to.match(new RegExp(`^FORWARD drops tcp ${PORT} \\(published, to 172\\.17\\.\\d+\\.\\d+:${PORT}\\) from node-1, node-3 \\(-A DOCKER-USER -p tcp -m tcp --dport ${PORT} -j DROP\\)`))
    expect(check.hint).to.include(`iptables -D DOCKER-USER -p tcp -m tcp --dport ${PORT} -j DROP`)
    for (const other of ['node-1', 'node-3']) expect(checkOf(nodes, other, 'forward').status, other).to.be.oneOf(['pass', 'skip'])

    clean()
    const after = await doctor(env, ['forward'])
    expect(checkOf(after.nodes, 'node-2', 'forward').status).to.equal('pass')
  })
})
