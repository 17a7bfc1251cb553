import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {LAB_NODES, labVars, nodeSocket, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, replicaFiles, running, serviceLabels} from '../../helpers/proxy-lab.js'

interface Case {
  name: string
  args: string[]
  code: number
  error: RegExp
  /** Variables on top of the lab's (e.g. a SWARMNET_SSH_CONFIG naming no file). */
  env?: Record<string, string | undefined>
  /** Also run with --json: the error envelope on stdout, nothing on stderr, nothing changed. */
  json?: boolean
}

/** Every replica's haproxy.cfg and every service's labels, byte for byte. */
async function snapshot(): Promise<{files: Record<string, string>; labels: Record<string, Record<string, string>>}> {
  const services = (await onNode('node-1', ['service', 'ls', '--format', '{{.Name}}'])).trim().split('\n').filter(Boolean).sort()
  const labels = Object.fromEntries(await Promise.all(services.map(async (name) => [name, await serviceLabels(name)] as const)))
  return {files: await replicaFiles(), labels}
}

/** Runs a case and checks the one-line error, the exit code and that no replica's haproxy.cfg and no label changed. */
async function refused(c: Case, env: Record<string, string | undefined>): Promise<void> {
  const before = await snapshot()
  const result = await swarmnet(c.args, {env: {...env, ...c.env}, timeoutMs: 60_000})
  expect(result.code, result.stderr).to.equal(c.code)
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines, result.stderr).to.have.length(1)
  expect(lines[0].slice('Error: '.length), lines[0]).to.match(c.error)
  if (c.json) {
    const json = await swarmnet([...c.args, '--json'], {env: {...env, ...c.env}, timeoutMs: 60_000})
    expect([json.code, json.stderr], json.stdout).to.deep.equal([c.code, ''])
    expect(json.json.error).to.deep.include({code: c.code === 2 ? 'EUSAGE' : 'ERUNTIME', exitCode: c.code})
    expect(json.json.error.message).to.match(c.error)
  }

  const after = await snapshot()
  expect(after.files, 'every replica\'s haproxy.cfg is byte-identical').to.deep.equal(before.files)
  expect(Object.keys(after.files)).to.have.length(LAB_NODES.length)
  expect(after.labels, 'every service\'s labels are unchanged').to.deep.equal(before.labels)
}

/**
 * Bad input to the proxy and route commands: one line naming the bad value, exit 2 for the user's
 * input and 1 for a cluster not in the needed state, and no replica's configuration changes.
 */
describe('proxy and route bad input: one-line errors, exit codes, every replica unchanged', function () {
  this.timeout(120_000)
  let env: Record<string, string | undefined>
  const services = ['proxy', 'go-demo', 'lonely', 'idle', 'fake-proxy']

  before(async function () {
    this.timeout(300_000)
    env = await labVars()
    await removeServicesAndNetworks(services, ['proxy', 'elsewhere'])
    // Short retries, so the proxy's refusal (500) comes in a second instead of twenty.
    await ok(['proxy', 'up', '--env', 'RECONFIGURE_ATTEMPTS=2', '--env', 'RECONFIGURE_INTERVAL_MS=100'], env)
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
    await createService('fake-proxy', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
    await ok(['network', 'create', 'elsewhere'], env)
    await createService('lonely', ['--network', 'elsewhere', '--endpoint-mode', 'dnsrr'])
    await createService('idle', ['--network', 'proxy', '--endpoint-mode', 'dnsrr', '--replicas', '0'])
    for (const name of ['go-demo', 'fake-proxy', 'lonely']) await running(name, 1)
    await ok(['route', 'add', 'go-demo', '/demo', '8080'], env)
  })
  after(async () => removeServicesAndNetworks(services, ['proxy', 'elsewhere']))

  const add = (...rest: string[]) => ['route', 'add', ...rest]
  const cases: Case[] = [
    {name: 'a path without a leading slash', args: add('go-demo', 'demo', '8080'), code: 2, error: /^invalid PATH "demo": expected a path starting with "\/", e.g\. \/demo$/},
    {name: 'port 0', args: add('go-demo', '/demo', '0'), code: 2, error: /^invalid PORT "0": expected a port number from 1 to 65535$/},
    {name: 'port 65536', args: add('go-demo', '/demo', '65536'), code: 2, error: /^invalid PORT "65536": expected a port number from 1 to 65535$/},
    {name: 'port abc', args: add('go-demo', '/demo', 'abc'), code: 2, error: /^invalid PORT "abc": expected a port number from 1 to 65535$/},
    {name: 'a second path with a space', args: add('go-demo', '/demo', '8080', '--path', '/a b'), code: 2, error: /^invalid PATH "\/a b": no spaces, quotes, backslashes, "#" or "\?"/},
    {name: 'an unknown service', args: add('nope', '/demo', '8080'), code: 2, error: /^unknown service "nope"; services on the proxy's network: fake-proxy, go-demo, idle$/},
    {name: 'a service name that cannot be one', args: add('no/pe', '/demo', '8080'), code: 2, error: /^invalid SERVICE "no\/pe": expected a service name/},
    {name: 'a service not on the proxy network', args: add('lonely', '/lonely', '8080'), code: 1, error: /^service lonely is not attached to the proxy's network \(proxy\); the proxy could not resolve it: docker service update --network-add proxy lonely$/},
    {name: 'a service with no running task', args: add('idle', '/idle', '8080'), code: 1, error: /^service idle has no running task \(scaled to 0\); the proxy would answer 503 for it$/},
    {name: 'the proxy itself as SERVICE', args: add('proxy', '/p', '8080'), code: 2, error: /^"proxy" is the proxy itself; name the service the proxy should route to$/},
    {name: 'an unknown --req-mode', args: add('go-demo', '/demo', '8080', '--req-mode', 'udp'), code: 2, error: /^invalid --req-mode "udp": expected one of http, tcp, sni$/},
    {name: 'an unknown --path-type', args: add('go-demo', '/demo', '8080', '--path-type', 'bogus'), code: 2, error: /^invalid --path-type "bogus": expected one of path, path_beg, /},
    {name: '--port-index 0', args: add('go-demo', '/demo', '8080', '--port-index', '0'), code: 2, error: /^invalid --port-index "0": expected a whole number from 1 to 10$/},
    {name: '--port-index beside an un-indexed route', args: add('go-demo', '/x', '8080', '--port-index', '2'), code: 2, error: /^service go-demo has an un-indexed route; add it again with --port-index 1 before adding --port-index 2$/},
    {name: 'a --domain that is no host name', args: add('go-demo', '/demo', '8080', '--domain', 'bad domain!'), code: 2, error: /^invalid --domain "bad domain!": expected a host name like example\.com or \*\.example\.com$/},
    {name: '--src-port 70000', args: add('go-demo', '/demo', '8080', '--src-port', '70000'), code: 2, error: /^invalid --src-port "70000": expected a port number from 1 to 65535$/},
    {name: 'an --acl-name HAProxy would refuse', args: add('go-demo', '/demo', '8080', '--acl-name', 'a:b'), code: 2, error: /^invalid --acl-name "a:b": expected letters, digits, "_", "\." or "-"$/},
    {name: '--param for something with its own flag', args: add('go-demo', '/demo', '8080', '--param', 'serviceName=x'), code: 2, error: /^--param serviceName is not accepted: use SERVICE$/},
    {name: '--param without a value', args: add('go-demo', '/demo', '8080', '--param', 'nonsense'), code: 2, error: /^invalid --param "nonsense": expected NAME=VALUE/},
    {name: '--users without a password (and without echoing it)', args: add('go-demo', '/demo', '8080', '--users', 'admin:pw1,bob'), code: 2, error: /^invalid --users entry 2 of 2: expected USER:PASSWORD pairs separated by ",", without spaces$/},
    {name: 'the proxy answering 400 (tcp without --src-port)', args: add('go-demo', '/demo', '8080', '--req-mode', 'tcp'), code: 2, error: /^the proxy refused the route: When NOT using reqMode http \(e\.g\. tcp\), srcPort and port parameters are mandatory\.$/},
    {name: 'the proxy answering 500 (HAProxy refuses the config): the previous route is put back', args: add('go-demo', '/demo', '8080', '--param', 'timeoutServer=soon'), code: 1, error: /^the proxy could not apply the route \((node-1 \(proxy\.node-1\): HTTP 500: Config validation failed.*|HTTP 500: Config validation failed.* \(node-1 \(proxy\.node-1\), node-2 \(proxy\.node-2\), node-3 \(proxy\.node-3\)\))\); its previous route is back on every replica$/},
    {name: 'an unknown --proxy', args: add('go-demo', '/demo', '8080', '--proxy', 'nope'), code: 2, error: /^unknown proxy service "nope"; proxy services here: proxy$/},
    {name: 'a --proxy that is no docker-flow-proxy', args: add('go-demo', '/demo', '8080', '--proxy', 'fake-proxy'), code: 1, error: /^1 of 1 proxy replicas do not hold the route: node-\d \(fake-proxy\.1\): not a docker-flow-proxy API \(404 for \/v1\/docker-flow-proxy\/reconfigure\)$/},
    {name: 'a missing SERVICE without a terminal', args: ['route', 'add'], code: 2, error: /^missing argument SERVICE; pass it on the command line \(no terminal to ask on\)$/},
    {name: 'route rm without --yes off a terminal', args: ['route', 'rm', 'go-demo'], code: 2, error: /^route rm needs confirmation; pass --yes \(no terminal to ask on\)$/},
    {name: 'route rm of a service with no route', args: ['route', 'rm', 'lonely', '--yes'], code: 2, error: /^no route for "lonely": no label on a service of that name, and no replica holds one$/},
    {name: 'route sync --concurrency 0', args: ['route', 'sync', '--concurrency', '0'], code: 2, error: /^invalid --concurrency "0": expected a whole number from 1 to 64$/},
    {name: 'proxy up --replicas 0', args: ['proxy', 'up', '--replicas', '0'], code: 2, error: /^invalid --replicas "0": expected a whole number from 1 to 100$/},
    {name: 'proxy up --mode bogus', args: ['proxy', 'up', '--mode', 'bogus'], code: 2, error: /^invalid --mode "bogus": expected replicated or global$/},
    {name: 'proxy up --replicas with --mode global', args: ['proxy', 'up', '--replicas', '2', '--mode', 'global'], code: 2, error: /^--replicas does not go with --mode global \(one task per node\)$/},
    {name: 'proxy up --publish-mode bogus', args: ['proxy', 'up', '--publish-mode', 'vip'], code: 2, error: /^invalid --publish-mode "vip": expected ingress or host$/},
    {name: 'proxy up --env without =', args: ['proxy', 'up', '--env', 'DEBUG'], code: 2, error: /^invalid --env "DEBUG": expected KEY=VALUE$/},
    {name: 'proxy up --constraint that is no expression', args: ['proxy', 'up', '--constraint', 'manager'], code: 2, error: /^invalid --constraint "manager": expected an expression like node\.role==manager/},
    {name: 'proxy up --wait-timeout soon', args: ['proxy', 'up', '--wait-timeout', 'soon'], code: 2, error: /^invalid --wait-timeout "soon": expected a duration like 10s, 500ms or 2m/},
    {name: 'proxy up on a network that is not an overlay', args: ['proxy', 'up', '--name', 'proxy-b', '--network', 'host'], code: 2, error: /^network "host" exists but is a host network; the proxy needs an overlay network \(choose another with --network\)$/},
    {name: '--param that is not a docker-flow-proxy parameter', args: add('go-demo', '/demo', '8080', '--param', 'Users=admin:pw'), code: 2, error: /^--param Users: not a docker-flow-proxy parameter \(names are case-sensitive/},
    {name: 'a quote in the path', args: add('go-demo', '/it\'s', '8080'), code: 2, error: /^invalid PATH "\/it's": no spaces, quotes, backslashes, "#" or "\?"/},
    {name: 'proxy up --env PORT=80', args: ['proxy', 'up', '--env', 'PORT=80'], code: 2, error: /^invalid --env "PORT=80": expected the API's port, a number from 1 to 65535 other than 80 and 443$/},
    {name: 'proxy down --proxy nope', args: ['proxy', 'down', '--proxy', 'nope', '--yes'], code: 2, error: /^unknown proxy service "nope"; proxy services here: proxy$/},
    // Issue 13: every value checked before any connection or change.
    {name: '--verify-path without a leading slash, with --verify', args: add('go-demo', '/x2', '8080', '--verify', '--verify-path', 'nopath'), code: 2, error: /^invalid --verify-path "nopath": expected a path starting with "\/", without spaces, quotes, backslashes or "#", e\.g\. \/demo\/hello$/, json: true},
    {name: '--verify-path without --verify (it implies --verify, and is checked all the same)', args: add('go-demo', '/x2', '8080', '--verify-path', 'nopath'), code: 2, error: /^invalid --verify-path "nopath": expected a path starting with "\/"/, json: true},
    {name: '--verify-path with a space', args: add('go-demo', '/x2', '8080', '--verify-path', '/x2 y'), code: 2, error: /^invalid --verify-path "\/x2 y": expected a path starting with "\/"/},
    {name: 'route add with a missing --ssh-config', args: add('go-demo', '/x2', '8080', '--ssh-config', '/nonexistent/file'), code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/, json: true},
    {name: 'route add with SWARMNET_SSH_CONFIG naming no file', args: add('go-demo', '/x2', '8080'), env: {SWARMNET_SSH_CONFIG: '/nonexistent/file'}, code: 2, error: /^invalid SWARMNET_SSH_CONFIG "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/, json: true},
    {name: 'route add with SWARMNET_CONFIG naming no file', args: add('go-demo', '/x2', '8080'), env: {SWARMNET_CONFIG: '/nonexistent/config.json'}, code: 2, error: /^invalid SWARMNET_CONFIG "\/nonexistent\/config\.json": expected a readable swarmnet config file \(JSON\) \(no such file\)$/, json: true},
    {name: 'doctor with a missing --ssh-config: one line, not one per node', args: ['doctor', '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": expected a readable ssh_config file/, json: true},
    {name: 'mesh check with a missing --ssh-config', args: ['mesh', 'check', 'proxy', '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /, json: true},
    {name: 'route ls with a missing --ssh-config (it needs no SSH here)', args: ['route', 'ls', '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /, json: true},
    {name: 'proxy up with a missing --ssh-config', args: ['proxy', 'up', '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /},
    {name: 'route sync --yes without --prune', args: ['route', 'sync', '--yes'], code: 2, error: /^--yes goes with --prune; without it, --yes would do nothing$/, json: true},
    {name: 'mesh check --path with a space', args: ['mesh', 'check', 'proxy', '--path', '/a b'], code: 2, error: /^invalid --path "\/a b": expected a path starting with "\/"/, json: true},
    {name: 'inspect cfg --node with --task', args: ['inspect', 'cfg', '--node', 'node-1', '--task', 'proxy.node-1'], code: 2, error: /^--node does not go with --task: give one of them$/},
    {name: 'inspect cfg --check with --node (one replica cannot differ)', args: ['inspect', 'cfg', '--check', '--node', 'node-1'], code: 2, error: /^--check does not go with --node: --check compares every replica's file$/},
  ]

  for (const c of cases) {
    it(`${c.name}: exit ${c.code}`, async () => refused(c, env))
  }

  it('flags that --json leaves nothing to do for are refused, not ignored: the envelope, exit 2, nothing changed', async () => {
    for (const [args, message] of [
      [['inspect', 'cfg', '--raw', '--json'], "--raw does not go with --json: --json carries each replica's file as text already"],
      [['map', '--format', 'dot', '--json'], '--format does not go with --json unless the drawing goes to --output FILE: --json prints the map as data'],
    ] as const) {
      const before = await snapshot()
      const result = await swarmnet([...args], {env})
      expect([result.code, result.stderr]).to.deep.equal([2, ''])
      expect(result.json).to.deep.equal({error: {message, code: 'EUSAGE', exitCode: 2}})
      expect(await snapshot()).to.deep.equal(before)
    }
  })

  it('errors under --json carry what was done per replica', async () => {
    const result = await swarmnet(add('go-demo', '/demo', '8080', '--req-mode', 'tcp', '--json'), {env})
    expect(result.code).to.equal(2)
    expect(result.json.error).to.deep.include({code: 'EUSAGE', exitCode: 2})
    expect(result.json.error.details.replicas.map((r: {node: string; result: string}) => [r.node, r.result])).to.deep.equal(LAB_NODES.map((n) => [n, 'refused']))
  })
})

describe('which proxy, and replicas out of reach', function () {
  this.timeout(180_000)
  let env: Record<string, string | undefined>
  let home: ReturnType<typeof tempDir>
  const services = ['proxy', 'go-demo', 'edge-a', 'edge-b']

  before(async () => {
    env = await labVars()
    home = tempDir()
    await removeServicesAndNetworks(services, ['proxy'])
    await ok(['network', 'create', 'proxy'], env)
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
    await running('go-demo', 1)
  })
  after(async () => {
    home.remove()
    await removeServicesAndNetworks(services, ['proxy'])
  })

  it('no proxy in the swarm: exit 1, saying how to start one', async () => {
    const result = await swarmnet(['route', 'add', 'go-demo', '/demo', '8080'], {env})
    expect([result.code, result.stderr]).to.deep.equal([1, 'Error: no proxy service in this swarm; start one with `swarmnet proxy up`, or name yours with --proxy NAME\n'])
  })

  it('two proxy candidates and no terminal: a usage error naming both', async () => {
    await createService('edge-a', ['--replicas', '0', '--network', 'proxy'], 'swarmnet-lab/proxy')
    await createService('edge-b', ['--replicas', '0', '--network', 'proxy', '--label', 'org.swarmnet.proxy=true'], 'swarmnet-lab/go-demo')
    const result = await swarmnet(['route', 'ls'], {env})
    expect([result.code, result.stderr]).to.deep.equal([2, 'Error: several services could be the proxy: edge-a, edge-b; choose one with --proxy NAME\n'])
    const scaledToZero = await swarmnet(['route', 'ls', '--proxy', 'edge-a'], {env})
    expect([scaledToZero.code, scaledToZero.stderr]).to.deep.equal([1, 'Error: the proxy service edge-a has no task that should run (scaled to 0?)\n'])
    await removeServicesAndNetworks(['edge-a', 'edge-b'], [])
  })

  it('replicas whose node cannot be reached are named, the others get the route, and the labels keep it for route sync', async () => {
    await ok(['proxy', 'up', '--no-publish-api'], env)
    const before = await replicaFiles()
    // Only the manager's socket: no contexts, machines, SSH config or TLS to reach node-2 and node-3 with.
    const result = await swarmnet(['route', 'add', 'go-demo', '/demo', '8080', '-H', nodeSocket('node-1'), '--timeout', '3s'], {env: {HOME: home.dir}})
    expect(result.code).to.equal(1)
    const line = result.stderr.trimEnd().split('\n')
    expect(line).to.have.length(1)
    expect(line[0]).to.match(/^Error: 2 of 3 proxy replicas do not hold the route: node-2 \(proxy\.node-2\): cannot reach the engine of node node-2 \(10\.213\.0\.12\); tried config: .*; node-3 \(proxy\.node-3\): cannot reach the engine of node node-3 .*; the route is labelled on the service: `swarmnet route sync` puts it on replicas that lack it$/)
    const after = await replicaFiles()
    expect(after['node-1']).not.to.equal(before['node-1'])
    expect([after['node-2'], after['node-3']]).to.deep.equal([before['node-2'], before['node-3']])
    const sync = await ok(['route', 'sync', '--json'], env)
    expect(sync.replicas.map((r: {added: string[]}) => r.added)).to.deep.equal([[], ['go-demo'], ['go-demo']])
  })
})

describe('proxy up calls the image the lab\'s stand-in only when it is', function () {
  this.timeout(300_000)
  let env: Record<string, string | undefined>
  const image = 'real-dfp/docker-flow-proxy:swarmnet-test'

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks(['proxy'], ['proxy'])
    // Offline lab: another name for the stand-in's image on every node stands for a real docker-flow-proxy image.
    for (const node of LAB_NODES) await onNode(node, ['tag', 'swarmnet-lab/proxy:latest', image])
  })
  after(async () => {
    await removeServicesAndNetworks(['proxy'], ['proxy'])
    for (const node of LAB_NODES) await onNode(node, ['rmi', image])
  })

  it('another image: the note names the lab\'s defaults, not the stand-in', async () => {
    const result = await ok(['proxy', 'up', '--image', image, '--json'], env)
    expect(result.image).to.equal(image)
    expect(result.defaultsReason).to.equal('the lab: this kernel has no IPVS, so the ingress routing mesh cannot work: the proxy runs on every node (global) and publishes its ports in host mode')
    await removeServicesAndNetworks(['proxy'], ['proxy'])
    const human = await swarmnet(['proxy', 'up', '--image', image], {env, timeoutMs: 120_000})
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).to.include('Note: the lab: this kernel has no IPVS')
    expect(human.stdout).not.to.include('stand-in')
  })

  it('the stand-in itself: said so', async () => {
    await removeServicesAndNetworks(['proxy'], ['proxy'])
    const result = await ok(['proxy', 'up', '--json'], env)
    expect(result.defaultsReason).to.match(/; the image is the lab's docker-flow-proxy stand-in$/)
  })
})
