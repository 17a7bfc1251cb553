import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {eventually, nodeSocket, docker, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {ok, proxyContainers, proxyWithGoDemo} from '../../helpers/proxy-lab.js'

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The proxy task on node-2 that should run, as the docker CLI sees it: its id, desired and current state. */
async function node2Task(): Promise<{id: string; desired: string; state: string}[]> {
  const out = await onNode('node-1', ['service', 'ps', 'proxy', '--filter', 'node=node-2', '--format', '{{.ID}} {{.DesiredState}} {{.CurrentState}}', '--no-trunc'])
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const [id, desired, state] = line.split(' ')
    return {id, desired, state}
  })
}

/**
 * Issue 13, "never a false all-clear": the stand-in has the real image's HEALTHCHECK, so a replaced
 * replica spends a restart delay without a task running and then ~5 s `starting` after its API answers.
 * Through all of it no command may count fewer replicas than the proxy should have, and
 * `inspect cfg --check` and `route ls` must not pass until `route sync` has put the route back.
 */
describe('a proxy replica being replaced: every desired replica is accounted for', function () {
  this.timeout(240_000)
  let env: Record<string, string | undefined>

  before(async function () {
    this.timeout(300_000)
    env = await proxyWithGoDemo(1, {route: true})
  })
  after(async () => removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy']))

  it("the stand-in image carries the real image's HEALTHCHECK, and its check passes on a running replica", async () => {
    const image = JSON.parse(await onNode('node-1', ['image', 'inspect', 'swarmnet-lab/proxy', '--format', '{{json .Config.Healthcheck}}']))
    expect(image).to.deep.equal({Test: ['CMD-SHELL', 'check.sh'], Interval: 5_000_000_000, Timeout: 10_000_000_000, StartPeriod: 3_000_000_000})
    const container = (await proxyContainers()).find((c) => c.node === 'node-1')!
    await eventually('the replica on node-1 is healthy', async () => (await onNode('node-1', ['inspect', container.id, '--format', '{{.State.Health.Status}}'])).trim() === 'healthy')
  })

  it('all read and identical before anything happens: inspect cfg --check exits 0 with 3 of 3', async () => {
    const result = await ok(['inspect', 'cfg', '--check', '--json'], env)
    expect(result).to.include({read: 3, desired: 3, identical: true})
    expect(result.notRead).to.deep.equal([])
  })

  it('from the kill until route sync, no poll of inspect cfg --check or route ls passes, and M stays 3 everywhere', async () => {
    const victim = (await proxyContainers()).find((c) => c.node === 'node-2')!
    const [before] = (await node2Task()).filter((t) => t.desired === 'Running')
    await onNode('node-2', ['kill', victim.id])

    const seen: string[] = [] // what each inspect cfg poll saw of node-2's replica
    let stable = false
    const commands: [string, string[]][] = [
      ['inspect', ['inspect', 'cfg', '--check', '--json', '--wait', '0']],
      ['route ls', ['route', 'ls', '--json', '--wait', '0']],
      ['proxy status', ['proxy', 'status', '--json', '--wait', '0']],
      ['map', ['map', '--json', '--wait', '0']],
    ]
    for (let poll = 0; !stable; poll++) {
      const [name, args] = commands[poll % commands.length]
      const result = await swarmnet(args, {env, timeoutMs: 60_000})
      const why = `poll ${poll} (${name}): exit ${result.code}: ${result.stderr}`
      if (name === 'inspect' || name === 'route ls') {
        // Never an all-clear: exit 1, with every desired replica in the accounting.
        expect(result.code, why).to.equal(1)
        const details = result.json.error.details
        expect(details.desired, why).to.equal(3)
        expect(details.read + details.notRead.length, why).to.equal(3)
        if (name === 'inspect') {
          const row = details.replicas.find((r: any) => r.node === 'node-2' || (r.taskId !== before.id && r.state !== 'running'))
          const notRead = details.notRead.length > 0
          expect(notRead || details.identical === false, why).to.equal(true)
          seen.push(row ? `${row.state}${row.text === undefined ? ' (not read)' : ''}` : 'no row')
          // The stable state: a replacement that runs, read, and empty.
          stable = !notRead && details.replicas.every((r: any) => r.state === 'running') && details.identical === false
          if (stable) expect(details.replicas.find((r: any) => r.node === 'node-2').taskId).to.not.equal(before.id)
        } else {
          expect(details.agree, why).to.equal(false)
        }
      } else {
        expect(result.code, why).to.equal(0)
        expect(result.json.desired, why).to.equal(3)
        expect(result.json.read + result.json.notRead.length, why).to.equal(3)
        if (name === 'proxy status') expect(result.json.read < 3 || result.json.agree === false, why).to.equal(true)
        else expect(result.json.read < 3 || result.json.problems.length > 0, why).to.equal(true)
      }
    }

    // The window the healthcheck makes was really met: some poll saw node-2's replica not yet running.
    expect(seen.some((s) => !s.startsWith('running')), `states seen: ${seen.join(', ')}`).to.equal(true)

    const sync = await ok(['route', 'sync', '--json'], env)
    expect(sync).to.include({synced: 3, desired: 3})
    expect(sync.replicas.find((r: any) => r.node === 'node-2').added).to.deep.equal(['go-demo'])
    const after = await ok(['inspect', 'cfg', '--check', '--json'], env)
    expect(after).to.include({read: 3, desired: 3, identical: true})
    expect((await ok(['route', 'ls', '--json'], env)).agree).to.equal(true)
  })

  it('route sync started right after a kill waits for the replacement (through its starting window) and syncs it', async () => {
    const victim = (await proxyContainers()).find((c) => c.node === 'node-3')!
    await onNode('node-3', ['kill', victim.id])
    const sync = await swarmnet(['route', 'sync', '--json'], {env, timeoutMs: 120_000})
    expect(sync.code, sync.stderr).to.equal(0)
    expect(sync.json).to.include({synced: 3, desired: 3})
    const row = sync.json.replicas.find((r: any) => r.node === 'node-3')
    expect(row.added).to.deep.equal(['go-demo'])
    // It is the replacement that got the route, and it holds it.
    const now = (await proxyContainers()).find((c) => c.node === 'node-3')!
    expect(now.id).to.not.equal(victim.id)
    const check = await ok(['inspect', 'cfg', '--check', '--json'], env)
    expect(check).to.include({read: 3, desired: 3, identical: true})
  })

  it('--wait 0 names a replica that is being replaced instead of waiting; a bad --wait is a usage error before connecting', async () => {
    const victim = (await proxyContainers()).find((c) => c.node === 'node-1')!
    await onNode('node-1', ['kill', victim.id])
    const check = await swarmnet(['inspect', 'cfg', '--check', '--json', '--wait', '0'], {env})
    expect(check.code).to.equal(1)
    const details = check.json.error.details
    expect(details).to.include({desired: 3})
    expect(details.notRead.map((r: any) => r.task)).to.deep.equal(['proxy.node-1'])
    expect(check.json.error.message).to.match(/^2 of 3 replica\(s\) read; not read: proxy\.node-1 .*\((failed|ready|preparing|starting|new|pending|assigned|accepted|running): /)
    const bad = await swarmnet(['route', 'ls', '--wait', 'soon'], {env: {...env, DOCKER_HOST: 'tcp://192.0.2.1:9'}})
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.equal('Error: invalid --wait "soon": expected a duration like 10s, 500ms or 2m (at most 60m)\n')
    await ok(['route', 'sync', '--json'], env)
    await eventually('the proxy service is back to 3 running', async () => {
      const ps = await docker(['-H', nodeSocket('node-1'), 'service', 'ps', 'proxy', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'])
      return ps.stdout.split('\n').filter((s) => s.startsWith('Running')).length === 3
    })
  })
})
