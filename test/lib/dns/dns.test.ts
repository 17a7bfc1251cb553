import {expect} from 'chai'

import {type DnsInput, lookupService, parseNslookup} from '../../../src/lib/dns/dns.js'
import type {Environment} from '../../../src/lib/core/environment.js'
import type {ContainerSummary, Engine, ExecOutput, NetworkSummary, ServiceSummary, TaskSummary} from '../../../src/lib/docker/engine.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {checkServiceRef} from '../../../src/lib/core/input.js'
import {fakeCluster, onLab} from '../../helpers/fake-cluster.js'
import {fakeEngine, infoOf, node, serviceOf, taskOf} from '../../helpers/fake-engine.js'

// ---------------------------------------------------------------------------------------------
// nslookup as it really prints, through Docker's embedded DNS (127.0.0.11)

/** busybox 1.35 (alpine 3.16, busybox:latest): A answers, then the AAAA query's. */
function busybox135(name: string, ipv4: string[], ipv6: string[] = []): string {
  const a = ipv4.length > 0 ? `Non-authoritative answer:\n${ipv4.map((ip) => `Name:\t${name}\nAddress: ${ip}\n`).join('')}\n` : `** server can't find ${name}: NXDOMAIN\n\n`
  const aaaa = ipv6.length > 0 ? `Non-authoritative answer:\n${ipv6.map((ip) => `Name:\t${name}\nAddress: ${ip}\n`).join('')}\n` : ipv4.length > 0 ? `*** Can't find ${name}: No answer\n\n` : `** server can't find ${name}: NXDOMAIN\n\n`
  return `Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n${a}${aaaa}`
}

/** busybox 1.28 (alpine 3.8, the real docker-flow-proxy image's): "Address N: IP reverse-name". */
function busybox128(name: string, answers: [string, string][]): string {
  return `Server:    127.0.0.11\nAddress 1: 127.0.0.11\n\nName:      ${name}\n${answers.map(([ip, reverse], i) => `Address ${i + 1}: ${ip} ${reverse}`).join('\n')}\n`
}

/** BIND 9's nslookup (dnsutils). */
function bind(name: string, ips: string[]): string {
  return `Server:\t\t127.0.0.11\nAddress:\t127.0.0.11#53\n\nNon-authoritative answer:\n${ips.map((ip) => `Name:\t${name}\nAddress: ${ip}\n`).join('')}\n`
}

describe('dns', () => {
  describe('parseNslookup', () => {
    it('reads busybox 1.35: the answers, not the server\'s own address', () => {
      expect(parseNslookup(busybox135('go-demo', ['10.0.1.5']))).to.deep.equal(['10.0.1.5'])
      expect(parseNslookup(busybox135('tasks.go-demo', ['10.0.1.7', '10.0.1.6']))).to.deep.equal(['10.0.1.6', '10.0.1.7'])
    })

    it('ignores the AAAA section\'s IPv6 answers', () => {
      const text = busybox135('tasks.go-demo', ['10.0.1.6', '10.0.1.5'], ['fd00:1::6', 'fd00:1::5', '::ffff:10.0.1.9'])
      expect(text).to.include('Address: fd00:1::6')
      expect(parseNslookup(text)).to.deep.equal(['10.0.1.5', '10.0.1.6'])
    })

    it('reads a busybox 1.35 answer that is IPv6 only as no IPv4 answer', () => {
      const text = "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n*** Can't find v6only: No answer\n\nNon-authoritative answer:\nName:\tv6only\nAddress: fd00::1\n\n"
      expect(parseNslookup(text)).to.deep.equal([])
    })

    it('reads old busybox 1.28: "Address 1: IP reverse-name", the server\'s "Address 1:" left out', () => {
      const text = busybox128('tasks.go-demo', [['10.0.1.7', 'go-demo.2.x8f0kz3mbb2v6vx0q1hxa1b2c.proxy'], ['10.0.1.5', 'go-demo.1.abc.proxy']])
      expect(parseNslookup(text)).to.deep.equal(['10.0.1.5', '10.0.1.7'])
      expect(parseNslookup(busybox128('go-demo', [['10.0.1.5', 'go-demo.1.abc.proxy']]))).to.deep.equal(['10.0.1.5'])
    })

    it('reads old busybox under musl, with its "can\'t resolve \'(null)\'" line about the server', () => {
      const text = "nslookup: can't resolve '(null)': Name does not resolve\n\nName:      go-demo\nAddress 1: 10.0.1.2 ip-10-0-1-2\n"
      expect(parseNslookup(text)).to.deep.equal(['10.0.1.2'])
    })

    it('reads BIND\'s nslookup: the server\'s "127.0.0.11#53" is not an answer', () => {
      expect(parseNslookup(bind('tasks.go-demo', ['10.0.1.6', '10.0.1.5']))).to.deep.equal(['10.0.1.5', '10.0.1.6'])
      expect(parseNslookup(bind('go-demo', ['10.0.1.2']))).to.deep.equal(['10.0.1.2'])
    })

    it('finds nothing in NXDOMAIN answers (busybox 1.35 and BIND)', () => {
      expect(parseNslookup(busybox135('nope', []))).to.deep.equal([])
      expect(parseNslookup("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11#53\n\n** server can't find nope: NXDOMAIN\n\n")).to.deep.equal([])
    })

    it('finds nothing when there is no "Name:" line, even with Address lines (the server\'s)', () => {
      expect(parseNslookup('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n')).to.deep.equal([])
      expect(parseNslookup('')).to.deep.equal([])
      expect(parseNslookup('sh: nslookup: not found\n')).to.deep.equal([])
    })

    it('sorts numerically, octet by octet, not as text', () => {
      const text = bind('tasks.web', ['10.0.1.100', '10.0.1.9', '10.0.1.10', '9.255.0.1', '10.0.0.200'])
      expect(parseNslookup(text)).to.deep.equal(['9.255.0.1', '10.0.0.200', '10.0.1.9', '10.0.1.10', '10.0.1.100'])
    })

    it('lists an address answered twice once', () => {
      expect(parseNslookup(bind('tasks.web', ['10.0.1.5', '10.0.1.5', '10.0.1.4']))).to.deep.equal(['10.0.1.4', '10.0.1.5'])
    })

    it('reads CRLF line endings too', () => {
      expect(parseNslookup(bind('go-demo', ['10.0.1.5', '10.0.1.3']).replaceAll('\n', '\r\n'))).to.deep.equal(['10.0.1.3', '10.0.1.5'])
    })

    it('takes no "Name:" that is not at the start of a line, and no words that are not addresses', () => {
      expect(parseNslookup('Server: x\nAddress: 127.0.0.11:53\nCanonical Name: foo\n')).to.deep.equal([])
      expect(parseNslookup('Name:\tfoo\nAddress: not-an-ip\nAddress: 10.0.0.1.5\nAddress: 10.0.0.7\n')).to.deep.equal(['10.0.0.7'])
    })
  })

  describe('lookupService', () => {
    // Addresses in TEST-NET-1 (192.0.2.0/24): never a lab's. Each test points the lab record at its own file.
    const nodes = [node('n1', 'node-1', '192.0.2.11', 'manager'), node('n2', 'node-2', '192.0.2.12'), node('n3', 'node-3', '192.0.2.13')]
    const network = (id: string, name: string, overrides: Partial<NetworkSummary> = {}): NetworkSummary => ({
      id, name, driver: 'overlay', scope: 'swarm', attachable: false, internal: false, ingress: false, encrypted: false, subnets: [], options: {}, labels: {}, ...overrides,
    })
    const networks = [
      network('net-ingress', 'ingress', {ingress: true}),
      network('net-proxy', 'proxy'),
      network('net-app', 'app', {attachable: true}),
      network('net-other', 'other'),
    ]
    const goDemo = serviceOf('svc-godemo-0123456789', 'go-demo', {
      replicas: 2, networks: [{id: 'net-ingress', vip: '10.255.0.4'}, {id: 'net-proxy', vip: '10.0.1.2'}],
    })
    const proxy = serviceOf('svc-proxy-9876543210', 'proxy', {image: 'dockerflow/docker-flow-proxy:latest', networks: [{id: 'net-proxy', vip: '10.0.1.30'}]})
    const on = (networkId: string, address: string) => ({networkId, address})
    const demoTasks = [
      taskOf('t-demo-2', goDemo.id, 'n3', {slot: 2, addresses: [on('net-ingress', '10.255.0.6'), on('net-proxy', '10.0.1.6')]}),
      taskOf('t-demo-1', goDemo.id, 'n2', {slot: 1, addresses: [on('net-ingress', '10.255.0.5'), on('net-proxy', '10.0.1.5')]}),
      taskOf('t-demo-3', goDemo.id, '', {slot: 3, state: 'pending', containerId: undefined, addresses: []}),
    ]
    const CONTAINER = 'c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789'
    const attachedContainer = (overrides: Partial<ContainerSummary> = {}): ContainerSummary => ({
      id: CONTAINER, name: 'go-demo.1.x8f0kz3mbb2v6vx0q1hxa1b2c', image: 'swarmnet-lab/go-demo:latest@sha256:0123', state: 'running',
      labels: {'com.docker.swarm.task.name': 'go-demo.1.x8f0kz3mbb2v6vx0q1hxa1b2c'}, ...overrides,
    })

    interface World {
      services?: ServiceSummary[]
      tasks?: TaskSummary[]
      managerId?: string
      /** What nslookup prints per name (stdout, or the whole exec output), or an Error to fail the exec. */
      dns?: Record<string, string | Error | ExecOutput>
      containers?: ContainerSummary[]
      images?: string[]
      environment?: Environment
    }

    function world(w: World = {}) {
      const log: string[] = []
      const services = w.services ?? [goDemo, proxy]
      const tasks = w.tasks ?? demoTasks
      const dns = w.dns ?? {
        'go-demo': busybox135('go-demo', ['10.0.1.2']),
        'tasks.go-demo': busybox135('tasks.go-demo', ['10.0.1.6', '10.0.1.5']),
      }
      const manager = fakeEngine({
        target: 'fake://manager',
        info: async () => infoOf(w.managerId ?? 'n1', 'node-1'),
        listNodes: async () => nodes,
        listNetworks: async () => networks,
        listServices: async () => services,
        async listTasks(filter = {}) {
          log.push(`listTasks ${JSON.stringify(filter)}`)
          return tasks.filter((t) => (filter.service === undefined || t.serviceId === filter.service) && (filter.desiredState === undefined || t.desiredState === filter.desiredState))
        },
      })
      const nodeEngine = (nodeId: string): Engine =>
        fakeEngine({
          target: `fake://${nodeId}`,
          async listContainers(filter) {
            log.push(`${nodeId} listContainers ${JSON.stringify(filter)}`)
            return w.containers ?? [attachedContainer()]
          },
          async exec(id, command, options): Promise<ExecOutput> {
            log.push(`${nodeId} exec ${id.slice(0, 12)} ${command.join(' ')}${options?.timeoutMs ? ` (${options.timeoutMs} ms)` : ''}`)
            if (command[0] === 'sh') return {exitCode: 0, stdout: Buffer.from(''), stderr: ''}
            const said = dns[command[1]]
            if (said instanceof Error) throw said
            if (said === undefined) throw new Error(`unexpected nslookup ${command[1]}`)
            if (typeof said !== 'string') return said
            return {exitCode: /NXDOMAIN|can't/.test(said) ? 1 : 0, stdout: Buffer.from(said), stderr: ''}
          },
          listImageTags: async () => w.images ?? [],
          async runHelper(spec) {
            log.push(`${nodeId} runHelper ${spec.image} on ${spec.network}`)
            return 'helper0123456789helper0123456789helper0123456789helper0123456789'
          },
          async removeContainer(id) {
            log.push(`${nodeId} removeContainer ${id.slice(0, 12)}`)
          },
        })
      const cluster = fakeCluster(manager, {n1: {engine: nodeEngine('n1'), via: 'manager'}, n2: nodeEngine('n2'), n3: nodeEngine('n3')}, 1500, {}, w.environment)
      return {cluster, log}
    }

    const input = (overrides: Partial<DnsInput> = {}): DnsInput => ({service: 'go-demo', json: false, ...overrides})
    const fails = async (promise: Promise<unknown>): Promise<Error> =>
      promise.then(
        () => expect.fail('should have failed'),
        (error: Error) => error,
      )

    it('resolves SERVICE and tasks.SERVICE inside the network and finds them as the manager says (VIP)', async () => {
      const {cluster, log} = world()
      const result = await lookupService(cluster, input())
      expect(result).to.deep.equal({
        service: 'go-demo',
        network: 'proxy',
        endpointMode: 'vip',
        from: {node: 'node-2', container: 'go-demo.1 (c0ffee012345)', helper: false},
        tasks: [{task: 'go-demo.1', node: 'node-2', ip: '10.0.1.5'}, {task: 'go-demo.2', node: 'node-3', ip: '10.0.1.6'}],
        vip: '10.0.1.2',
        lookups: [
          {name: 'go-demo', answered: ['10.0.1.2'], expected: ['10.0.1.2'], stale: [], missing: []},
          {name: 'tasks.go-demo', answered: ['10.0.1.5', '10.0.1.6'], expected: ['10.0.1.5', '10.0.1.6'], stale: [], missing: []},
        ],
        ok: true,
        notes: [],
      })
      expect(log.filter((l) => l.startsWith('n2 '))).to.deep.equal([
        'n2 listContainers {"network":"proxy"}',
        'n2 exec c0ffee012345 sh -c command -v nslookup >/dev/null (1500 ms)',
        'n2 exec c0ffee012345 nslookup go-demo',
        'n2 exec c0ffee012345 nslookup tasks.go-demo',
      ])
      expect(cluster.asked).to.deep.equal(['n2'])
    })

    it('asks the manager for the service\'s running tasks, then for every running task to choose a node', async () => {
      const {cluster, log} = world()
      await lookupService(cluster, input())
      expect(log.filter((l) => l.startsWith('listTasks'))).to.deep.equal([
        `listTasks {"service":"${goDemo.id}","desiredState":"running"}`,
        'listTasks {"desiredState":"running"}',
      ])
    })

    it('dnsrr: both names should answer the running tasks\' IPs, and there is no VIP', async () => {
      const dnsrr = {...goDemo, endpointMode: 'dnsrr', networks: [{id: 'net-proxy'}]}
      const {cluster} = world({
        services: [dnsrr, proxy],
        dns: {'go-demo': busybox135('go-demo', ['10.0.1.5', '10.0.1.6']), 'tasks.go-demo': busybox135('tasks.go-demo', ['10.0.1.6', '10.0.1.5'])},
      })
      const result = await lookupService(cluster, input())
      expect(result.endpointMode).to.equal('dnsrr')
      expect(result).to.not.have.property('vip')
      expect(result.lookups).to.deep.equal([
        {name: 'go-demo', answered: ['10.0.1.5', '10.0.1.6'], expected: ['10.0.1.5', '10.0.1.6'], stale: [], missing: []},
        {name: 'tasks.go-demo', answered: ['10.0.1.5', '10.0.1.6'], expected: ['10.0.1.5', '10.0.1.6'], stale: [], missing: []},
      ])
      expect(result.ok).to.equal(true)
    })

    it('reports answers that are no running task\'s IP as stale, and running tasks DNS did not answer as missing', async () => {
      const {cluster} = world({dns: {'go-demo': bind('go-demo', ['10.0.1.2']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.1.9', '10.0.1.5', '10.0.1.10'])}})
      const result = await lookupService(cluster, input())
      expect(result.lookups[1]).to.deep.equal({name: 'tasks.go-demo', answered: ['10.0.1.5', '10.0.1.9', '10.0.1.10'], expected: ['10.0.1.5', '10.0.1.6'], stale: ['10.0.1.9', '10.0.1.10'], missing: ['10.0.1.6']})
      expect(result.lookups[0]).to.deep.equal({name: 'go-demo', answered: ['10.0.1.2'], expected: ['10.0.1.2'], stale: [], missing: []})
      expect(result.ok).to.equal(false)
    })

    it('is not ok when SERVICE answers a task IP instead of the VIP', async () => {
      const {cluster} = world({dns: {'go-demo': busybox128('go-demo', [['10.0.1.5', 'go-demo.1.abc.proxy']]), 'tasks.go-demo': busybox135('tasks.go-demo', ['10.0.1.5', '10.0.1.6'])}})
      const result = await lookupService(cluster, input())
      expect(result.lookups[0]).to.deep.equal({name: 'go-demo', answered: ['10.0.1.5'], expected: ['10.0.1.2'], stale: ['10.0.1.5'], missing: ['10.0.1.2']})
      expect(result.ok).to.equal(false)
    })

    it('records a failed nslookup as that lookup\'s error: everything expected is missing, and it is not ok', async () => {
      const {cluster, log} = world({dns: {'go-demo': new Error('exec timed out after 1.5s'), 'tasks.go-demo': busybox135('tasks.go-demo', ['10.0.1.5', '10.0.1.6'])}})
      const result = await lookupService(cluster, input())
      expect(result.lookups[0]).to.deep.equal({name: 'go-demo', answered: [], expected: ['10.0.1.2'], stale: [], missing: ['10.0.1.2'], error: 'exec timed out after 1.5s'})
      expect(result.lookups[1].error).to.equal(undefined)
      expect(result.ok).to.equal(false)
      expect(log).to.include('n2 exec c0ffee012345 nslookup tasks.go-demo')
    })

    it('says what nslookup printed when it answered nothing and it was no negative answer', async () => {
      const {cluster} = world({dns: {'go-demo': ';; connection timed out; no servers could be reached\n\n', 'tasks.go-demo': bind('tasks.go-demo', ['10.0.1.5', '10.0.1.6'])}})
      const result = await lookupService(cluster, input())
      expect(result.lookups[0]).to.deep.equal({
        name: 'go-demo', answered: [], expected: ['10.0.1.2'], stale: [], missing: ['10.0.1.2'], error: 'nslookup: ;; connection timed out; no servers could be reached',
      })
    })

    it('takes an NXDOMAIN for tasks.SERVICE as the right answer when no task runs, with a note', async () => {
      const {cluster} = world({tasks: [demoTasks[2]], dns: {'go-demo': busybox135('go-demo', ['10.0.1.2']), 'tasks.go-demo': busybox135('tasks.go-demo', [])}})
      const result = await lookupService(cluster, input())
      expect(result.tasks).to.deep.equal([])
      expect(result.lookups[1]).to.deep.equal({name: 'tasks.go-demo', answered: [], expected: [], stale: [], missing: []})
      expect(result.notes).to.deep.equal(['the service has no running task'])
      expect(result.ok).to.equal(true)
      // No task on the network anywhere: asked from the manager's node.
      expect(result.from.node).to.equal('node-1')
    })

    it("takes old busybox's negative answer (\"can't resolve\") as one too, not as a failed nslookup", async () => {
      // busybox 1.28 under musl (the real proxy image's alpine 3.8) says so on stderr and exits 1.
      const negative = {exitCode: 1, stdout: Buffer.from(''), stderr: "nslookup: can't resolve '(null)': Name does not resolve\n\nnslookup: can't resolve 'tasks.go-demo': Name does not resolve\n"}
      const found = {exitCode: 0, stdout: Buffer.from('\nName:      go-demo\nAddress 1: 10.0.1.2\n'), stderr: "nslookup: can't resolve '(null)': Name does not resolve\n"}
      const {cluster} = world({tasks: [demoTasks[2]], dns: {'go-demo': found, 'tasks.go-demo': negative}})
      const result = await lookupService(cluster, input())
      expect(result.lookups[1]).to.deep.equal({name: 'tasks.go-demo', answered: [], expected: [], stale: [], missing: []})
      expect(result.ok).to.equal(true)
    })

    it('counts only running tasks, and only their addresses on the chosen network', async () => {
      const tasks = [
        ...demoTasks,
        taskOf('t-demo-old', goDemo.id, 'n2', {slot: 1, desiredState: 'shutdown', state: 'shutdown', addresses: [on('net-proxy', '10.0.1.3')]}),
        taskOf('t-demo-4', goDemo.id, 'n3', {slot: 4, state: 'starting', addresses: [on('net-proxy', '10.0.1.4')]}),
        taskOf('t-demo-10', goDemo.id, 'gone-node-id-xyz', {slot: 10, addresses: [on('net-ingress', '10.255.0.9'), on('net-proxy', '10.0.1.20')]}),
      ]
      const {cluster} = world({tasks, dns: {'go-demo': bind('go-demo', ['10.0.1.2']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.1.5', '10.0.1.6', '10.0.1.20'])}})
      const result = await lookupService(cluster, input())
      expect(result.tasks).to.deep.equal([
        {task: 'go-demo.1', node: 'node-2', ip: '10.0.1.5'},
        {task: 'go-demo.2', node: 'node-3', ip: '10.0.1.6'},
        {task: 'go-demo.10', node: 'gone-node-id-xyz', ip: '10.0.1.20'},
      ])
      expect(result.lookups[1].expected).to.deep.equal(['10.0.1.5', '10.0.1.6', '10.0.1.20'])
      expect(result.ok).to.equal(true)
    })

    it('names a global service\'s tasks by node', async () => {
      const global = {...goDemo, mode: 'global', replicas: undefined}
      const tasks = [taskOf('t-g-3', goDemo.id, 'n3', {addresses: [on('net-proxy', '10.0.1.6')]}), taskOf('t-g-2', goDemo.id, 'n2', {addresses: [on('net-proxy', '10.0.1.5')]})]
      const {cluster} = world({services: [global, proxy], tasks})
      const result = await lookupService(cluster, input())
      expect(result.tasks).to.deep.equal([{task: 'go-demo.node-2', node: 'node-2', ip: '10.0.1.5'}, {task: 'go-demo.node-3', node: 'node-3', ip: '10.0.1.6'}])
    })

    describe('the network', () => {
      const onTwo = {...goDemo, networks: [{id: 'net-proxy', vip: '10.0.1.2'}, {id: 'net-app', vip: '10.0.2.2'}]}
      const appTasks = [
        taskOf('t-demo-1', goDemo.id, 'n2', {slot: 1, addresses: [on('net-proxy', '10.0.1.5'), on('net-app', '10.0.2.5')]}),
        taskOf('t-demo-2', goDemo.id, 'n3', {slot: 2, addresses: [on('net-proxy', '10.0.1.6'), on('net-app', '10.0.2.6')]}),
      ]

      it('takes the service\'s only overlay, the ingress network left out', async () => {
        const {cluster} = world()
        expect((await lookupService(cluster, input())).network).to.equal('proxy')
      })

      it('refuses to guess between several networks, naming them', async () => {
        const {cluster} = world({services: [onTwo, proxy], tasks: appTasks})
        const error = await fails(lookupService(cluster, input()))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal('service go-demo is on several networks (proxy, app); choose one with --network')
      })

      it('takes --network by name or id, with that network\'s VIP and addresses', async () => {
        for (const network of ['app', 'net-app']) {
          const {cluster, log} = world({
            services: [onTwo, proxy], tasks: appTasks,
            dns: {'go-demo': bind('go-demo', ['10.0.2.2']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.2.5', '10.0.2.6'])},
          })
          const result = await lookupService(cluster, input({network}))
          expect(result.network).to.equal('app')
          expect(result.vip).to.equal('10.0.2.2')
          expect(result.tasks.map((t) => t.ip)).to.deep.equal(['10.0.2.5', '10.0.2.6'])
          expect(result.ok).to.equal(true)
          expect(log).to.include('n2 listContainers {"network":"app"}')
        }
      })

      it('refuses a --network the service is not on, saying which it is on', async () => {
        const {cluster} = world({services: [onTwo, proxy], tasks: appTasks})
        const error = await fails(lookupService(cluster, input({network: 'other'})))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal('service go-demo is not on network "other"; it is on proxy, app')
        const ingress = await fails(lookupService(world().cluster, input({network: 'ingress'})))
        expect(ingress.message).to.equal('service go-demo is not on network "ingress"; it is on proxy')
      })

      it('fails for a service on no overlay network (only the ingress one)', async () => {
        const published = {...goDemo, networks: [{id: 'net-ingress', vip: '10.255.0.4'}]}
        const error = await fails(lookupService(world({services: [published, proxy]}).cluster, input()))
        expect(error).to.be.instanceOf(SwarmnetError)
        expect(error).to.not.be.instanceOf(UsageError)
        expect(error.message).to.equal('service go-demo is on no overlay network, so no container can look it up by name')
        const named = await fails(lookupService(world({services: [published, proxy]}).cluster, input({network: 'proxy'})))
        expect(named.message).to.equal('service go-demo is not on network "proxy"; it is on none')
      })

      it('leaves out a network the manager does not list', async () => {
        const ghost = {...goDemo, networks: [{id: 'net-proxy', vip: '10.0.1.2'}, {id: 'net-gone', vip: '10.9.9.9'}]}
        expect((await lookupService(world({services: [ghost, proxy]}).cluster, input())).network).to.equal('proxy')
      })
    })

    describe('the node it asks from', () => {
      it('prefers the manager\'s node when a task of any service runs there on the network', async () => {
        const tasks = [...demoTasks, taskOf('t-proxy-1', proxy.id, 'n1', {slot: 1, addresses: [on('net-proxy', '10.0.1.31')]})]
        const {cluster} = world({tasks})
        const result = await lookupService(cluster, input())
        expect(result.from.node).to.equal('node-1')
        expect(cluster.asked).to.deep.equal(['n1'])
      })

      it('does not count the manager\'s tasks that are not running or not on the network', async () => {
        const tasks = [
          ...demoTasks,
          taskOf('t-proxy-1', proxy.id, 'n1', {slot: 1, state: 'starting', addresses: [on('net-proxy', '10.0.1.31')]}),
          taskOf('t-other-1', 'svc-other', 'n1', {slot: 1, addresses: [on('net-other', '10.0.3.31')]}),
        ]
        const result = await lookupService(world({tasks}).cluster, input())
        expect(result.from.node).to.equal('node-2')
      })

      it('takes the first node (in the manager\'s order) with a running task on the network otherwise', async () => {
        const tasks = [taskOf('t-demo-2', goDemo.id, 'n3', {slot: 2, addresses: [on('net-proxy', '10.0.1.6')]})]
        const result = await lookupService(world({tasks, dns: {'go-demo': bind('go-demo', ['10.0.1.2']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.1.6'])}}).cluster, input())
        expect(result.from.node).to.equal('node-3')
      })

      it('falls back to the first node when the manager is not among the nodes and nothing runs', async () => {
        const result = await lookupService(world({tasks: [], managerId: 'nx', dns: {'go-demo': bind('go-demo', ['10.0.1.2']), 'tasks.go-demo': busybox135('tasks.go-demo', [])}}).cluster, input())
        expect(result.from.node).to.equal('node-1')
      })

      for (const from of ['node-3', 'n3', '192.0.2.13']) {
        it(`takes --from ${from}`, async () => {
          const {cluster} = world()
          const result = await lookupService(cluster, input({from}))
          expect(result.from.node).to.equal('node-3')
          expect(cluster.asked).to.deep.equal(['n3'])
        })
      }

      it('refuses an unknown --from, listing the nodes', async () => {
        const error = await fails(lookupService(world().cluster, input({from: 'node-9'})))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal('unknown node "node-9"; the swarm\'s nodes are node-1, node-2, node-3')
      })
    })

    describe('the service', () => {
      for (const service of ['go demo', '-go', '', 'a/b']) {
        it(`refuses SERVICE ${JSON.stringify(service)} before asking anything (the command checks it before connecting)`, () => {
          expect(() => checkServiceRef(service)).to.throw(UsageError, `invalid SERVICE "${service}": expected a service name or id`)
        })
      }

      it('refuses an unknown service, listing those there are', async () => {
        const error = await fails(lookupService(world().cluster, input({service: 'nope'})))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal('unknown service "nope"; the swarm\'s services are go-demo, proxy')
      })

      it('finds the service by id prefix', async () => {
        expect((await lookupService(world().cluster, input({service: 'svc-godemo'}))).service).to.equal('go-demo')
      })
    })

    describe('the no-IPVS note', () => {
      it('is there for a VIP service asked from a lab node', async () => {
        const result = await lookupService(world({environment: onLab('192.0.2.0/24')}).cluster, input())
        expect(result.notes).to.deep.equal(['the VIP 10.0.1.2 resolves but does not answer here: this kernel has no IPVS'])
        // A note, not a failure.
        expect(result.ok).to.equal(true)
      })

      it('is not there for a dnsrr service on a lab node', async () => {
        const dnsrr = {...goDemo, endpointMode: 'dnsrr', networks: [{id: 'net-proxy'}]}
        const result = await lookupService(world({environment: onLab('192.0.2.0/24'), services: [dnsrr, proxy], dns: {'go-demo': bind('go-demo', ['10.0.1.5', '10.0.1.6']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.1.5', '10.0.1.6'])}}).cluster, input())
        expect(result.notes).to.deep.equal([])
      })

      it('is not there for addresses that are not the lab\'s', async () => {
        expect((await lookupService(world({environment: onLab('10.213.0.0/24')}).cluster, input())).notes).to.deep.equal([])
      })

      it('comes before the no-task note', async () => {
        const result = await lookupService(world({environment: onLab('192.0.2.0/24'), tasks: [], dns: {'go-demo': bind('go-demo', ['10.0.1.2']), 'tasks.go-demo': busybox135('tasks.go-demo', [])}}).cluster, input())
        expect(result.notes).to.deep.equal(['the VIP 10.0.1.2 resolves but does not answer here: this kernel has no IPVS', 'the service has no running task'])
      })
    })

    describe('the helper', () => {
      const noTools = (w: World) => {
        const built = world({...w, containers: []})
        return built
      }

      it('starts one from the service\'s image when no container on the node is attached, and removes it after', async () => {
        const appOnly = {...goDemo, networks: [{id: 'net-app', vip: '10.0.2.2'}]}
        const tasks = [taskOf('t-demo-1', goDemo.id, 'n2', {slot: 1, addresses: [on('net-app', '10.0.2.5')]})]
        const {cluster, log} = noTools({
          services: [appOnly, proxy], tasks, images: ['nginx:1.25', 'busybox:latest', 'swarmnet-lab/go-demo:latest'],
          dns: {'go-demo': bind('go-demo', ['10.0.2.2']), 'tasks.go-demo': bind('tasks.go-demo', ['10.0.2.5'])},
        })
        const result = await lookupService(cluster, input())
        expect(result.from).to.deep.equal({node: 'node-2', container: 'helper from swarmnet-lab/go-demo:latest (helper012345)', helper: true})
        expect(result.ok).to.equal(true)
        expect(log.filter((l) => l.startsWith('n2 '))).to.deep.equal([
          'n2 listContainers {"network":"app"}',
          'n2 runHelper swarmnet-lab/go-demo:latest on app',
          'n2 exec helper012345 sh -c command -v nslookup >/dev/null (1500 ms)',
          'n2 exec helper012345 nslookup go-demo',
          'n2 exec helper012345 nslookup tasks.go-demo',
          'n2 removeContainer helper012345',
        ])
      })

      it('removes it even when both lookups fail', async () => {
        const appOnly = {...goDemo, networks: [{id: 'net-app', vip: '10.0.2.2'}]}
        const {cluster, log} = noTools({services: [appOnly, proxy], tasks: [], images: ['busybox:latest'], dns: {'go-demo': new Error('boom'), 'tasks.go-demo': new Error('bang')}})
        const result = await lookupService(cluster, input())
        expect(result.lookups.map((l) => l.error)).to.deep.equal(['boom', 'bang'])
        expect(result.ok).to.equal(false)
        expect(log.at(-1)).to.equal('n1 removeContainer helper012345')
      })

      it('fails, saying why, when no container can be had on a non-attachable network', async () => {
        const error = await fails(lookupService(noTools({}).cluster, input()))
        expect(error.message).to.equal(
          'no container on proxy on node-2 has nslookup, and proxy is not attachable, so no helper can join it; ask from another node, or create the network with --attachable',
        )
      })
    })
  })
})
