import {expect} from 'chai'

import {LAB_PROXY_IMAGE} from '../../../src/lib/lab/detect.js'
import {defaultsNote} from '../../../src/lib/proxy/lifecycle.js'
import {type ClusterDefaults, DEFAULT_IMAGE, type ProxyUpInput, proxySpec} from '../../../src/lib/proxy/spec.js'

function input(overrides: Partial<ProxyUpInput> = {}): ProxyUpInput {
  return {name: 'proxy', network: 'proxy', env: [], publishApi: true, constraints: [], ...overrides}
}

const LAB: ClusterDefaults = {image: LAB_PROXY_IMAGE, mode: 'global', publishMode: 'host', reason: 'the lab: this kernel has no IPVS, so the ingress routing mesh cannot work'}
const note = (overrides: Partial<ProxyUpInput>, defaults = LAB) => defaultsNote(defaults, input(overrides), proxySpec(input(overrides), defaults))

describe('proxy up: the note on defaults says only what the defaults decided', () => {
  it('every default taken in the lab: global, host mode, and the lab\'s stand-in image', () => {
    expect(note({})).to.equal("the lab: this kernel has no IPVS, so the ingress routing mesh cannot work: the proxy runs on every node (global) and publishes its ports in host mode; the image is the lab's docker-flow-proxy stand-in")
  })

  it('a real docker-flow-proxy image is never called the stand-in', () => {
    expect(note({image: 'real-dfp/docker-flow-proxy:18.04.06-12'})).to.equal('the lab: this kernel has no IPVS, so the ingress routing mesh cannot work: the proxy runs on every node (global) and publishes its ports in host mode')
    expect(note({image: 'dockerflow/docker-flow-proxy'})).not.to.include('stand-in')
  })

  it('the stand-in named explicitly (any tag) is still the stand-in', () => {
    expect(note({image: 'swarmnet-lab/proxy'})).to.match(/; the image is the lab's docker-flow-proxy stand-in$/)
  })

  it('values the user gave are theirs: only what was defaulted is said', () => {
    expect(note({mode: 'replicated', replicas: '2'})).to.equal("the lab: this kernel has no IPVS, so the ingress routing mesh cannot work: the proxy publishes its ports in host mode; the image is the lab's docker-flow-proxy stand-in")
    expect(note({mode: 'replicated', publishMode: 'ingress', image: 'vfarcic/docker-flow-proxy'})).to.equal(undefined)
  })

  it('no note where the book\'s defaults hold', () => {
    expect(note({}, {image: DEFAULT_IMAGE, mode: 'replicated', publishMode: 'ingress'})).to.equal(undefined)
  })
})
