import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {swarmnet} from '../../helpers/cli.js'
import {LAB_NODES, labVars, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, running} from '../../helpers/proxy-lab.js'

interface Finding {
  name: string
  subject: string
  status: string
  detail: string
  hint?: string
}

interface Doctor {
  code: number
  /** The error's message (--json puts it in the output): which checks failed. */
  message?: string
  swarm: Finding[]
  nodes: {node: string; checks: {name: string; status: string}[]}[]
}

/** doctor --json, whether it exited 0 or 1. */
async function doctor(env: Record<string, string | undefined>, args: string[] = []): Promise<Doctor> {
  const result = await swarmnet(['doctor', ...args, '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.swarm, result.stdout + result.stderr).to.be.an('array')
  return {code: result.code, message: result.json?.error?.message, swarm: body.swarm, nodes: body.nodes}
}

const NETWORK = 'secure'
const SERVICE = 'secure-demo'

/**
 * An `--opt encrypted` overlay with a global service on it: created, and its tasks run on every node,
 * but this kernel has no ESP, so nothing crosses nodes (environment-facts.md, measured).
 */
describe('swarmnet doctor: encrypted overlays', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>
  const rules: [string, string[]][] = []
  const unblock = () => {
    for (const [node, rule] of rules.splice(0)) execFileSync('ip', ['netns', 'exec', `swarmnet-${node}`, 'iptables', '-D', ...rule])
  }

  before(async function () {
    this.timeout(120_000)
    env = await labVars()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
  })
  afterEach(unblock)
  after(async function () {
    this.timeout(120_000)
    unblock()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
  })

  it('a lab with no encrypted overlay: no such finding, and no swarm-wide warning or failure', async () => {
    const {swarm} = await doctor(env)
    expect(swarm.filter((f) => f.name === 'encrypted')).to.deep.equal([])
    expect(swarm.filter((f) => f.status === 'warn' || f.status === 'fail')).to.deep.equal([])
  })

  it('an encrypted overlay that carries nothing: named, with each kernel\'s lack and the fix; ESP dropped on node-2 is named too; removed, the finding is gone', async () => {
    await onNode('node-1', ['network', 'create', '-d', 'overlay', '--opt', 'encrypted', NETWORK])
    await createService(SERVICE, ['--network', NETWORK, '--mode', 'global', '--endpoint-mode', 'dnsrr'])
    await running(SERVICE, 3)

    const found = await doctor(env)
    const finding = found.swarm.find((f) => f.name === 'encrypted')!
    expect(finding, JSON.stringify(found.swarm)).to.deep.include({subject: `network ${NETWORK}`, status: 'fail'})
    expect(finding.detail).to.match(/^\(--opt encrypted\) carries nothing: 0 of 6 pings between its tasks on different nodes answered; node-1, node-2, node-3: kernel \S+ has no ESP \(esp4, CONFIG_INET_ESP\)/)
    expect(finding.hint).to.equal('the kernel lacks IPsec: load the modules (modprobe esp4 xfrm_user) or run a kernel with CONFIG_INET_ESP and CONFIG_CRYPTO_GCM, or recreate the network without --opt encrypted')
    expect(found.code).to.equal(1)
    expect(found.message).to.match(/; network secure: encrypted$/)
    // The plain data path is not blamed for IPsec: VXLAN passes on every node.
    for (const node of found.nodes) expect(node.checks.find((c) => c.name === 'vxlan 4789/udp')!.status, node.node).to.equal('pass')

    // ESP (IP protocol 50) dropped on node-2's INPUT: the rule and the node are named, with the firewall fix.
    const rule = ['INPUT', '-p', 'esp', '-j', 'DROP']
    execFileSync('ip', ['netns', 'exec', 'swarmnet-node-2', 'iptables', '-I', ...rule])
    rules.push(['node-2', rule])
    const dropped = (await doctor(env, ['--check', 'encrypted', '--network', NETWORK])).swarm
    expect(dropped.map((f) => f.name)).to.deep.equal(['encrypted'])
    expect(dropped[0].detail).to.include('; INPUT on node-2 drops ESP from node-1, node-3 (-A INPUT -p esp -j DROP)')
    expect(dropped[0].hint).to.include('; allow IP protocol 50 (ESP) between the nodes, e.g. iptables -I INPUT -p esp -s PEER -j ACCEPT (and OUTPUT -p esp -d PEER)')
    unblock()

    await removeServicesAndNetworks([SERVICE], [NETWORK])
    const gone = await doctor(env)
    expect(gone.swarm.filter((f) => f.name === 'encrypted')).to.deep.equal([])
    expect(LAB_NODES.every((n) => gone.nodes.some((r) => r.node === n))).to.equal(true)
  })
})
