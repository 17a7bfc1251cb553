import {expect} from 'chai'

import type {Environment} from '../../../src/lib/core/environment.js'
import {LAB_PROXY_IMAGE} from '../../../src/lib/lab/detect.js'
import {clusterDefaults} from '../../../src/lib/proxy/lifecycle.js'
import {DEFAULT_IMAGE} from '../../../src/lib/proxy/spec.js'
import {NO_LAB, fakeCluster, onLab} from '../../helpers/fake-cluster.js'
import {fakeEngine, infoOf} from '../../helpers/fake-engine.js'

/** The defaults for a manager at `nodeAddr`, reached at `target`, on a machine as `environment` says. */
function defaultsFor(target: string, nodeAddr: string, environment: Environment) {
  const info = infoOf('n1', 'node-1')
  const engine = fakeEngine({target, info: async () => ({...info, swarm: {...info.swarm, nodeAddr}})})
  return clusterDefaults(fakeCluster(engine, {}, 2000, {}, environment))
}

const WHY = 'this kernel has no IPVS, so the ingress routing mesh cannot work'

describe('proxy up: the defaults follow the machine', () => {
  it('a manager of this machine\'s lab: the stand-in image, global, host mode', async () => {
    expect(await defaultsFor('unix:///run/swarmnet-lab/node-1/docker.sock', '10.213.0.11', onLab('10.213.0.0/24'))).to.deep.equal({image: LAB_PROXY_IMAGE, mode: 'global', publishMode: 'host', reason: `the lab: ${WHY}`})
  })

  it('a local engine on a kernel without IPVS: the real image, global, host mode', async () => {
    expect(await defaultsFor('unix:///var/run/docker.sock', '192.168.1.5', {...NO_LAB, ipvs: false})).to.deep.equal({image: DEFAULT_IMAGE, mode: 'global', publishMode: 'host', reason: WHY})
  })

  it('a remote engine, or a local one with IPVS: replicated, through the routing mesh', async () => {
    expect(await defaultsFor('tcp://10.0.0.11:2376', '10.0.0.11', {...NO_LAB, ipvs: false})).to.deep.equal({image: DEFAULT_IMAGE, mode: 'replicated', publishMode: 'ingress'})
    expect(await defaultsFor('unix:///var/run/docker.sock', '192.168.1.5', NO_LAB)).to.deep.equal({image: DEFAULT_IMAGE, mode: 'replicated', publishMode: 'ingress'})
  })
})
