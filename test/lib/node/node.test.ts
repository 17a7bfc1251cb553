import {expect} from 'chai'

import {UsageError} from '../../../src/lib/core/errors.js'
import {dockerEnvFor, findNode} from '../../../src/lib/node/node.js'
import {node} from '../../helpers/fake-engine.js'

describe('nodes', () => {
  const nodes = [node('abc111', 'node-1', '10.0.0.11', 'manager'), node('abd222', 'node-2', '10.0.0.12')]

  it('finds a node by hostname, id, id prefix or address', () => {
    expect(findNode(nodes, 'node-2').id).to.equal('abd222')
    expect(findNode(nodes, 'abc111').hostname).to.equal('node-1')
    expect(findNode(nodes, 'abd').hostname).to.equal('node-2')
    expect(findNode(nodes, '10.0.0.11').hostname).to.equal('node-1')
  })

  it('says which nodes exist when one is unknown, and when a prefix is ambiguous', () => {
    expect(() => findNode(nodes, 'node-9')).to.throw(UsageError, /unknown node "node-9"; the swarm's nodes are node-1, node-2/)
    expect(() => findNode(nodes, 'ab')).to.throw(UsageError, /unknown node/)
    expect(() => findNode([...nodes, node('abd333', 'node-3', '')], 'abd')).to.throw(UsageError, /ambiguous: node-2, node-3/)
  })

  it('prints docker-machine style variables for a TLS engine', () => {
    expect(dockerEnvFor({kind: 'tcp', host: '10.0.0.12', port: 2376, tls: {verify: true, dir: '/m/node-2'}}, {machine: 'node-2'})).to.deep.equal([
      ['DOCKER_HOST', 'tcp://10.0.0.12:2376'],
      ['DOCKER_TLS_VERIFY', '1'],
      ['DOCKER_CERT_PATH', '/m/node-2'],
      ['DOCKER_MACHINE_NAME', 'node-2'],
      ['DOCKER_CONTEXT', null],
    ])
  })

  it('uses DOCKER_CONTEXT for a context and unsets what would override it', () => {
    const vars = Object.fromEntries(dockerEnvFor({kind: 'ssh', host: 'h'}, {context: 'prod-2'}))
    expect(vars).to.deep.equal({DOCKER_CONTEXT: 'prod-2', DOCKER_HOST: null, DOCKER_TLS_VERIFY: null, DOCKER_CERT_PATH: null, DOCKER_MACHINE_NAME: null})
  })
})
