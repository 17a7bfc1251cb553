import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {docker, eventually, labVars, removeServicesAndNetworks} from '../../helpers/lab.js'

describe('swarmnet network create / ls / inspect', () => {
  let env: Record<string, string | undefined>
  const services = ['netdemo-web']
  const networks = ['netdemo-plain', 'netdemo-tuned']

  before(async () => {
    env = await labVars()
    await removeServicesAndNetworks(services, networks)
  })
  after(async () => removeServicesAndNetworks(services, networks))

  it('creates an overlay network like `docker network create --driver overlay`', async () => {
    const result = await swarmnet(['network', 'create', 'netdemo-plain', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.json).to.deep.include({name: 'netdemo-plain', driver: 'overlay', scope: 'swarm', attachable: false, encrypted: false})
    const seen = JSON.parse((await docker(['network', 'inspect', 'netdemo-plain'], env)).stdout)[0]
    expect(seen.Id).to.equal(result.json.id)
    expect(seen.Driver).to.equal('overlay')
  })

  it('passes --attachable, --subnet, --gateway, --encrypted, --mtu and --label through', async () => {
    const args = ['network', 'create', 'netdemo-tuned', '--attachable', '--subnet', '172.29.77.0/24', '--gateway', '172.29.77.1', '--encrypted', '--mtu', '1400', '--label', 'team=net']
    const result = await swarmnet(args, {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout, `stdout: ${JSON.stringify(result.stdout)}`).to.match(/^Created overlay network netdemo-tuned \(\w{12}, 172\.29\.77\.0\/24\)\n$/)
    const seen = JSON.parse((await docker(['network', 'inspect', 'netdemo-tuned'], env)).stdout)[0]
    expect(seen.Attachable).to.equal(true)
    expect(seen.IPAM.Config[0]).to.deep.include({Subnet: '172.29.77.0/24', Gateway: '172.29.77.1'})
    expect(seen.Options).to.deep.include({encrypted: '', 'com.docker.network.driver.mtu': '1400'})
    expect(seen.Labels).to.deep.equal({team: 'net'})
  })

  it('refuses a subnet that overlaps a network (the manager would leave it without addresses), and changes nothing', async () => {
    const before = (await docker(['network', 'ls', '-q'], env)).stdout
    const result = await swarmnet(['network', 'create', 'netdemo-clash', '--subnet', '172.29.77.128/25'], {env})
    expect(result.code).to.equal(1)
    expect(result.stderr).to.equal('Error: --subnet 172.29.77.128/25 overlaps network "netdemo-tuned" (172.29.77.0/24): choose a free range\n')
    expect((await docker(['network', 'ls', '-q'], env)).stdout).to.equal(before)
  })

  it('refuses a name already taken, and changes nothing', async () => {
    const before = (await docker(['network', 'ls', '-q'], env)).stdout
    const result = await swarmnet(['network', 'create', 'netdemo-plain'], {env})
    expect(result.code).to.equal(1)
    expect(result.stderr).to.match(/^Error: network "netdemo-plain" already exists \(overlay, swarm scope, id \w{12}\)\n$/)
    expect((await docker(['network', 'ls', '-q'], env)).stdout).to.equal(before)
  })

  it('lists overlays with subnet, flags and the services attached', async () => {
    const created = await docker(['service', 'create', '-d', '--name', 'netdemo-web', '--network', 'netdemo-tuned', '--replicas', '2', 'swarmnet-lab/go-demo'], env)
    expect(created.code, created.stderr).to.equal(0)
    const result = await swarmnet(['network', 'ls', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const tuned = result.json.find((n: {name: string}) => n.name === 'netdemo-tuned')
    expect(tuned).to.deep.include({attachable: true, encrypted: true, ingress: false, services: ['netdemo-web']})
    expect(tuned.subnets).to.deep.equal([{subnet: '172.29.77.0/24', gateway: '172.29.77.1'}])
    expect(result.json.find((n: {name: string}) => n.name === 'ingress').ingress).to.equal(true)
    expect(result.json.every((n: {driver: string}) => n.driver === 'overlay')).to.equal(true)
    const table = await swarmnet(['network', 'ls'], {env})
    // Addresses: the VIP, each task's (once allocated) and one load-balancer endpoint per node running one.
    const {capacity} = tuned
    expect(capacity).to.deep.include({size: 253, vips: 1})
    expect(capacity.used).to.equal(capacity.vips + capacity.tasks + capacity.lbEndpoints)
    expect(capacity.free).to.equal(253 - capacity.used)
    expect(table.stdout).to.match(/netdemo-tuned\s+\w{12}\s+172\.29\.77\.0\/24\s+172\.29\.77\.1\s+\d+\/253\s+\d+\s+yes\s+yes\s+netdemo-web/)
  })

  it('inspects: the service VIP, and each task with its node and IP, as the swarm reports them', async function () {
    this.timeout(90_000)
    await eventually('netdemo-web tasks running', async () => {
      const ps = await docker(['service', 'ps', 'netdemo-web', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'], env)
      return ps.stdout.trim().split('\n').filter((s) => s.startsWith('Running')).length === 2
    })
    const result = await swarmnet(['network', 'inspect', 'netdemo-tuned', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const web = result.json.services.find((s: {name: string}) => s.name === 'netdemo-web')
    const service = JSON.parse((await docker(['service', 'inspect', 'netdemo-web'], env)).stdout)[0]
    const vip = service.Endpoint.VirtualIPs.find((v: {NetworkID: string}) => v.NetworkID === result.json.network.id).Addr.split('/')[0]
    expect(web.vip).to.equal(vip)
    expect(web.tasks).to.have.length(2)
    const tasks = JSON.parse((await docker(['inspect', ...(await docker(['service', 'ps', '-q', '--filter', 'desired-state=running', 'netdemo-web'], env)).stdout.trim().split('\n')], env)).stdout)
    const expected = tasks.map((t: {NetworksAttachments: {Network: {ID: string}; Addresses: string[]}[]}) => t.NetworksAttachments.find((a) => a.Network.ID === result.json.network.id)!.Addresses[0].split('/')[0]).sort()
    expect(web.tasks.map((t: {ip: string}) => t.ip).sort()).to.deep.equal(expected)
    expect(result.json.peers.length).to.be.greaterThan(0)
    for (const peer of result.json.peers) expect(peer.ip).to.match(/^10\.213\.0\.1\d$/)
    const human = await swarmnet(['network', 'inspect', 'netdemo-tuned'], {env})
    expect(human.stdout).to.include('PEERS').and.include('SERVICES')
    expect(human.stdout).to.match(new RegExp(`netdemo-web\\s+${vip.replaceAll('.', '\\.')}\\s+netdemo-web\\.1\\s+node-\\d\\s+172\\.29\\.77\\.\\d+\\s+running`))
  })
})
