import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {paths} from '../../../src/lib/lab/layout.js'
import {swarmnet} from '../../helpers/cli.js'
import {eventually, labVars, nodeIp, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, running} from '../../helpers/proxy-lab.js'

// Injects a stale VXLAN forwarding entry (moby/moby#52661), a stale neighbour (ARP) entry and a
// duplicate address (#33795) into the lab, and asserts doctor names them on the right node and network,
// and that --fix repairs the first two.

const NETWORK = 'fdbnet'
const SERVICE = 'fdbdemo'

interface Check {name: string; status: string; detail: string; hint?: string; repairs?: {node: string; network: string; command: string}[]}
interface Report {node: string; checks: Check[]}

/** A shell command on a lab node, over the lab's SSH (inside the node's own namespaces, as doctor runs). */
function onNodeShell(node: string, command: string): string {
  return execFileSync('ssh', ['-F', paths.sshConfig, node, command], {encoding: 'utf8'})
}

async function doctorFdb(env: Record<string, string | undefined>, extra: string[] = []): Promise<{code: number; nodes: Report[]; body: any}> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await swarmnet(['doctor', '--check', 'fdb', ...extra, '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.nodes, result.stdout + result.stderr).to.be.an('array')
  return {code: result.code, nodes: body.nodes, body}
}

const fdbOf = (nodes: Report[], node: string) => nodes.find((n) => n.node === node)!.checks.find((c) => c.name === 'fdb')!

describe('swarmnet doctor: the stale data plane', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>
  let namespace: string
  /** node-3's task on the overlay: its address and MAC. */
  let target: {ip: string; mac: string}
  /** node-2's task container's sandbox and interface on the overlay, for the duplicate. */
  let sandbox: {path: string; iface: string}
  let duplicateAdded = false
  /** A MAC no endpoint has (02:42 and 10.255.255.254), for the stale neighbour entry. */
  const wrongMac = '02:42:0a:ff:ff:fe'
  const neighbourEntry = () => onNodeShell('node-2', `nsenter --net=${namespace} ip neigh show to ${target.ip}`).trim()
  const fdbEntry = () => onNodeShell('node-2', `nsenter --net=${namespace} bridge fdb show dev vxlan0 | grep '^${target.mac} .*dst' || true`).trim()

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    await removeServicesAndNetworks([SERVICE], [NETWORK])
    await onNode('node-1', ['network', 'create', '-d', 'overlay', NETWORK])
    await createService(SERVICE, ['--mode', 'global', '--network', NETWORK, '--endpoint-mode', 'dnsrr'])
    await running(SERVICE, 3)
    const networkId = (await onNode('node-1', ['network', 'inspect', NETWORK, '-f', '{{.Id}}'])).trim()
    namespace = `/run/swarmnet-lab/node-2/exec/netns/1-${networkId.slice(0, 10)}`
    const tasks = (await onNode('node-1', ['service', 'ps', SERVICE, '--filter', 'desired-state=running', '--no-trunc', '--format', '{{.ID}} {{.Node}}'])).trim().split('\n').map((l) => l.split(' '))
    const task3 = tasks.find(([, node]) => node === 'node-3')![0]
    const attachments = JSON.parse(await onNode('node-1', ['inspect', task3, '-f', '{{json .NetworksAttachments}}'])) as {Network: {ID: string}; Addresses: string[]}[]
    const ip = attachments.find((a) => a.Network.ID === networkId)!.Addresses[0].split('/')[0]
    // Engine 20.10 derives an overlay endpoint's MAC from its address: 02:42 and the four bytes.
    target = {ip, mac: ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':')}
    await eventually('node-2 forwards node-3\'s task over VXLAN', () => fdbEntry().includes(`dst ${nodeIp('node-3')}`))
    const container = (await onNode('node-2', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${SERVICE}`])).trim()
    const key = (await onNode('node-2', ['inspect', container, '-f', '{{.NetworkSettings.SandboxKey}}'])).trim()
    const own = (await onNode('node-2', ['inspect', container, '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`])).trim()
    const iface = /^\d+:\s+(\S+)\s+inet /m.exec(onNodeShell('node-2', `nsenter --net=${key} ip -o -4 addr show to ${own}`))![1]
    sandbox = {path: key, iface}
  })

  after(async () => {
    if (duplicateAdded) onNodeShell('node-2', `nsenter --net=${sandbox.path} ip addr del ${target.ip}/32 dev ${sandbox.iface} || true`)
    // The injected entry goes with the network's namespace.
    await removeServicesAndNetworks([SERVICE], [NETWORK])
  })

  it('passes on a healthy overlay', async () => {
    const {nodes} = await doctorFdb(env)
    for (const node of ['node-1', 'node-2', 'node-3']) expect(fdbOf(nodes, node).status, `${node}: ${fdbOf(nodes, node).detail}`).to.equal('pass')
  })

  it('names the stale forwarding entry on node-2 and the network, with the command that fixes it', async () => {
    onNodeShell('node-2', `nsenter --net=${namespace} bridge fdb replace ${target.mac} dev vxlan0 dst ${nodeIp('node-1')} self permanent`)
    const {code, nodes} = await doctorFdb(env)
    expect(code).to.equal(1)
    const stale = fdbOf(nodes, 'node-2')
    expect(stale.status).to.equal('fail')
    expect(stale.detail).to.include(`${NETWORK}: ${SERVICE}.node-3 ${target.ip} (on node-3, ${nodeIp('node-3')}) is sent to ${nodeIp('node-1')}`)
    expect(stale.hint).to.include(`bridge fdb replace ${target.mac} dev vxlan0 dst ${nodeIp('node-3')} self permanent`)
    expect(stale.repairs).to.have.length(1)
    for (const node of ['node-1', 'node-3']) expect(fdbOf(nodes, node).status).to.equal('pass')
  })

  it('--fix without a terminal or --yes is a usage error, and changes nothing', async () => {
    const result = await swarmnet(['doctor', '--check', 'fdb', '--fix'], {env, timeoutMs: 60_000})
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include('--yes')
    expect(fdbEntry()).to.include(`dst ${nodeIp('node-1')}`)
  })

  it('--fix --yes replaces the stale entry and the re-check passes', async () => {
    const {code, nodes, body} = await doctorFdb(env, ['--fix', '--yes'])
    expect(body.fix.confirmed).to.equal(true)
    expect(body.fix.repairs).to.have.length(1)
    expect(body.fix.repairs[0]).to.include({node: 'node-2', network: NETWORK, ok: true})
    expect(code, JSON.stringify(nodes)).to.equal(0)
    for (const node of ['node-1', 'node-2', 'node-3']) expect(fdbOf(nodes, node).status).to.equal('pass')
    expect(fdbEntry()).to.include(`dst ${nodeIp('node-3')}`)
  })

  it('names the stale neighbour entry on node-2 and the network, with the command that fixes it', async () => {
    expect(neighbourEntry(), 'node-2 knows node-3\'s task\'s MAC before the fault').to.include(`lladdr ${target.mac}`)
    onNodeShell('node-2', `nsenter --net=${namespace} ip neigh replace ${target.ip} lladdr ${wrongMac} dev vxlan0 nud permanent`)
    const {code, nodes} = await doctorFdb(env)
    expect(code).to.equal(1)
    const stale = fdbOf(nodes, 'node-2')
    expect(stale.status).to.equal('fail')
    expect(stale.detail).to.equal(`stale ${NETWORK}: ${SERVICE}.node-3 ${target.ip} (on node-3, ${nodeIp('node-3')}) has MAC ${target.mac}, but the neighbour entry says ${wrongMac}`)
    expect(stale.hint).to.include(`ip neigh replace ${target.ip} lladdr ${target.mac} dev vxlan0 nud permanent`)
    expect(stale.repairs).to.have.length(1)
    expect(stale.repairs![0]).to.include({node: 'node-2', network: NETWORK})
    for (const node of ['node-1', 'node-3']) expect(fdbOf(nodes, node).status, `${node}: ${fdbOf(nodes, node).detail}`).to.equal('pass')
  })

  it('--fix --yes replaces the stale neighbour entry and the re-check passes', async () => {
    const {code, nodes, body} = await doctorFdb(env, ['--fix', '--yes'])
    expect(body.fix.confirmed).to.equal(true)
    expect(body.fix.repairs).to.have.length(1)
    expect(body.fix.repairs[0]).to.include({node: 'node-2', network: NETWORK, ok: true})
    expect(code, JSON.stringify(nodes)).to.equal(0)
    for (const node of ['node-1', 'node-2', 'node-3']) expect(fdbOf(nodes, node).status).to.equal('pass')
    expect(neighbourEntry()).to.include(`lladdr ${target.mac}`)
  })

  it('names an address held on two nodes on the node that took it', async () => {
    onNodeShell('node-2', `nsenter --net=${sandbox.path} ip addr add ${target.ip}/32 dev ${sandbox.iface}`)
    duplicateAdded = true
    const {code, nodes} = await doctorFdb(env)
    expect(code).to.equal(1)
    const duplicate = fdbOf(nodes, 'node-2')
    expect(duplicate.status).to.equal('fail')
    expect(duplicate.detail).to.include(`duplicate ${NETWORK}: ${target.ip} is held here and on node-3 (the swarm gave it to ${SERVICE}.node-3)`)
    expect(duplicate.hint).to.include('docker service update --force')
    expect(duplicate.repairs ?? []).to.have.length(0)
    for (const node of ['node-1', 'node-3']) expect(fdbOf(nodes, node).status).to.equal('pass')

    onNodeShell('node-2', `nsenter --net=${sandbox.path} ip addr del ${target.ip}/32 dev ${sandbox.iface}`)
    duplicateAdded = false
    const after = await doctorFdb(env)
    expect(fdbOf(after.nodes, 'node-2').status).to.equal('pass')
  })
})
