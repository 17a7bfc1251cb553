import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import path from 'node:path'

import {moveLeadingGlobalFlags} from '../../../src/lib/core/argv.js'
import {describeFailure} from '../../../src/lib/core/base-command.js'
import {configPath, loadConfig} from '../../../src/lib/core/config.js'
import {SwarmnetError, UsageError, reasonOf} from '../../../src/lib/core/errors.js'
import {tempDir} from '../../helpers/fixtures.js'

describe('moveLeadingGlobalFlags', () => {
  it('moves docker-style leading flags after the command', () => {
    expect(moveLeadingGlobalFlags(['-H', 'ssh://n1', 'node', 'ls'])).to.deep.equal(['node', 'ls', '-H', 'ssh://n1'])
    expect(moveLeadingGlobalFlags(['--context=prod', '--json', 'network', 'ls'])).to.deep.equal(['network', 'ls', '--context=prod', '--json'])
  })

  it('leaves everything else alone', () => {
    expect(moveLeadingGlobalFlags(['node', 'ls', '-H', 'x'])).to.deep.equal(['node', 'ls', '-H', 'x'])
    expect(moveLeadingGlobalFlags(['--version'])).to.deep.equal(['--version'])
    expect(moveLeadingGlobalFlags(['--json'])).to.deep.equal(['--json'])
  })
})

describe('describeFailure', () => {
  it('keeps our exit codes and messages', () => {
    expect(describeFailure(new UsageError('bad'))).to.deep.equal({message: 'bad', exitCode: 2, code: 'EUSAGE'})
    expect(describeFailure(new SwarmnetError('down'))).to.deep.include({exitCode: 1})
  })

  it('makes oclif parse errors one-line usage errors', () => {
    const parse = Object.assign(new Error('Missing 1 required arg:\nname  network name\nSee more help with --help'), {oclif: {exit: 2}})
    expect(describeFailure(parse)).to.deep.equal({message: 'Missing 1 required arg: name network name (see --help)', exitCode: 2, code: 'EUSAGE'})
  })

  it('never lets a multi-line message through', () => {
    expect(describeFailure(new SwarmnetError('first\n  second')).message).to.equal('first second')
  })

  it('maps an interrupted prompt to 130', () => {
    expect(describeFailure(Object.assign(new Error('x'), {name: 'ExitPromptError'})).exitCode).to.equal(130)
  })

  it('says network errors the way operators read them', () => {
    expect(reasonOf(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}))).to.equal('connection refused')
    expect(reasonOf(Object.assign(new Error('x'), {code: 'SELF_SIGNED_CERT_IN_CHAIN'}))).to.equal('TLS certificate is not signed by the trusted CA')
  })
})

describe('swarmnet config file', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => (tmp = tempDir()))
  afterEach(() => tmp.remove())

  it('lives under XDG_CONFIG_HOME, or SWARMNET_CONFIG', () => {
    expect(configPath({HOME: '/h'})).to.equal('/h/.config/swarmnet/config.json')
    expect(configPath({XDG_CONFIG_HOME: '/x'})).to.equal('/x/swarmnet/config.json')
    expect(configPath({SWARMNET_CONFIG: '/c.json'})).to.equal('/c.json')
  })

  it('reads node mappings and rejects malformed ones by name', () => {
    const file = path.join(tmp.dir, 'c.json')
    writeFileSync(file, JSON.stringify({nodes: {'node-2': {host: 'ssh://ops@10.0.0.2'}, 'node-3': {context: 'n3'}}}))
    expect(loadConfig({SWARMNET_CONFIG: file}).nodes['node-3']).to.deep.equal({context: 'n3'})
    writeFileSync(file, JSON.stringify({nodes: {'node-2': {host: 'a', context: 'b'}}}))
    expect(() => loadConfig({SWARMNET_CONFIG: file})).to.throw(UsageError, /nodes\."node-2" must be/)
    expect(() => loadConfig({SWARMNET_CONFIG: path.join(tmp.dir, 'missing.json')})).to.throw(UsageError, /^invalid SWARMNET_CONFIG ".*missing\.json": expected a readable swarmnet config file \(JSON\) \(no such file\)$/)
    expect(loadConfig({HOME: tmp.dir}).nodes).to.deep.equal({})
  })
})
