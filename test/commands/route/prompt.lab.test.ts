import {expect} from 'chai'

import {cleanEnv} from '../../helpers/cli.js'
import {labVars, removeServicesAndNetworks} from '../../helpers/lab.js'
import {createService, ok, replicaRoutes, running} from '../../helpers/proxy-lab.js'
import {converse} from '../../helpers/terminal.js'

describe('route and proxy prompts on a terminal', function () {
  this.timeout(120_000)
  let env: NodeJS.ProcessEnv

  before(async () => {
    const lab = await labVars()
    env = cleanEnv({...lab, CI: undefined})
    await removeServicesAndNetworks(['proxy', 'go-demo', 'lonely'], ['proxy'])
    await ok(['proxy', 'up'], lab)
    await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
    await createService('lonely', ['--endpoint-mode', 'dnsrr'])
    await running('go-demo', 1)
  })
  after(async () => removeServicesAndNetworks(['proxy', 'go-demo', 'lonely'], ['proxy']))

  it('route add with nothing given offers the services on the proxy network, then suggests /<service> and the image\'s port', async () => {
    const result = await converse(['route', 'add'], [
      {when: 'Which service gets a route on proxy?', keys: '\r'},
      {when: 'Path to route:', keys: '\r'},
      {when: 'Port the service listens on:', keys: '\r'},
    ], env)
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.include('go-demo')
    expect(result.screen).not.to.include('lonely')
    expect(result.screen).to.match(/Path to route: \/go-demo/)
    expect(result.screen).to.match(/Port the service listens on: 8080/)
    for (const [node, routes] of Object.entries(await replicaRoutes())) expect(routes['go-demo']?.ServiceDest?.[0], node).to.deep.include({ServicePath: ['/go-demo'], Port: '8080'})
  })

  it('route rm asks first and defaults to No', async () => {
    const result = await converse(['route', 'rm', 'go-demo'], [{when: 'Remove the route of go-demo', keys: '\r'}], env)
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.match(/Remove the route of go-demo from proxy \(3 replica\(s\)\) and its labels\? \(y\/N\)/)
    expect(result.screen).to.include('Nothing removed.')
    for (const routes of Object.values(await replicaRoutes())) expect(Object.keys(routes)).to.deep.equal(['go-demo'])
  })

  it('proxy down asks first and defaults to No', async () => {
    const result = await converse(['proxy', 'down'], [{when: 'Remove the proxy service proxy?', keys: 'n\r'}], env)
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.include('Nothing removed.')
  })
})
