import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {DEFAULT_SOCKET, parseDockerHost} from '../../../src/lib/docker/endpoint.js'
import {readMachine} from '../../../src/lib/docker/machine.js'
import {resolveEngine} from '../../../src/lib/docker/resolve.js'
import {UsageError} from '../../../src/lib/core/errors.js'
import {tempDir, writeContext, writeMachine} from '../../helpers/fixtures.js'

describe('resolveEngine: the docker CLI order', () => {
  let tmp: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv
  let configDir: string
  let machineStore: string
  let certDir: string

  beforeEach(() => {
    tmp = tempDir()
    configDir = path.join(tmp.dir, 'docker')
    machineStore = path.join(tmp.dir, 'machine')
    certDir = path.join(tmp.dir, 'certs')
    mkdirSync(certDir)
    for (const f of ['ca', 'cert', 'key']) writeFileSync(path.join(certDir, `${f}.pem`), `${f}-content`)
    writeContext(configDir, 'ctx-ssh', 'ssh://deploy@10.1.0.5:2222')
    writeContext(configDir, 'ctx-tls', 'tcp://10.1.0.6:2376', {ca: 'CA', cert: 'CERT', key: 'KEY'})
    writeContext(configDir, 'current', 'unix:///run/current.sock')
    writeMachine(machineStore, 'node-1', '192.168.99.100')
    env = {HOME: tmp.dir, DOCKER_CONFIG: configDir, MACHINE_STORAGE_PATH: machineStore}
  })
  afterEach(() => tmp.remove())

  it('uses the default socket when nothing is set', () => {
    const r = resolveEngine({}, {HOME: tmp.dir})
    expect(r.endpoint).to.deep.equal({kind: 'unix', socketPath: DEFAULT_SOCKET})
  })

  it('--host wins over everything, with TLS from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH', () => {
    const r = resolveEngine({host: 'tcp://10.9.9.9:2376'}, {...env, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'ctx-ssh', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir})
    expect(r.source).to.equal('--host')
    expect(r.endpoint.kind).to.equal('tcp')
    if (r.endpoint.kind !== 'tcp') return
    expect(r.endpoint.host).to.equal('10.9.9.9')
    expect(r.endpoint.tls?.verify).to.equal(true)
    expect(r.endpoint.tls?.ca?.toString()).to.equal('ca-content')
  })

  it('--context wins over DOCKER_HOST and DOCKER_CONTEXT', () => {
    const r = resolveEngine({context: 'ctx-ssh'}, {...env, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'current'})
    expect(r.endpoint).to.deep.equal({kind: 'ssh', host: '10.1.0.5', user: 'deploy', port: 2222})
    expect(r.context).to.equal('ctx-ssh')
  })

  it('DOCKER_HOST wins over DOCKER_CONTEXT and currentContext', () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({currentContext: 'current'}))
    const r = resolveEngine({}, {...env, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'ctx-ssh'})
    expect(r).to.deep.include({source: 'DOCKER_HOST'})
    expect(r.endpoint).to.deep.equal({kind: 'unix', socketPath: '/x.sock'})
  })

  it('DOCKER_CONTEXT wins over currentContext', () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({currentContext: 'current'}))
    expect(resolveEngine({}, {...env, DOCKER_CONTEXT: 'ctx-ssh'}).context).to.equal('ctx-ssh')
  })

  it('reads currentContext from $DOCKER_CONFIG/config.json', () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({currentContext: 'current'}))
    const r = resolveEngine({}, env)
    expect(r.endpoint).to.deep.equal({kind: 'unix', socketPath: '/run/current.sock'})
    expect(r.source).to.match(/currentContext "current"/)
  })

  it('treats context "default" as DOCKER_HOST or the default socket', () => {
    expect(resolveEngine({context: 'default'}, env).endpoint).to.deep.equal({kind: 'unix', socketPath: DEFAULT_SOCKET})
    expect(resolveEngine({context: 'default'}, {...env, DOCKER_HOST: 'tcp://h:1'}).endpoint).to.deep.include({kind: 'tcp', host: 'h', port: 1})
  })

  it('loads a context\'s TLS material from contexts/tls/<sha256>/docker', () => {
    const r = resolveEngine({context: 'ctx-tls'}, env)
    if (r.endpoint.kind !== 'tcp') throw new Error('expected tcp')
    expect(r.endpoint.tls?.ca?.toString()).to.equal('CA')
    expect(r.endpoint.tls?.key?.toString()).to.equal('KEY')
    expect(r.endpoint.tls?.verify).to.equal(true)
  })

  it('reads a docker-machine machine without the binary: IP, port 2376 and its TLS dir', () => {
    const r = resolveEngine({machine: 'node-1'}, env)
    if (r.endpoint.kind !== 'tcp') throw new Error('expected tcp')
    expect(r.endpoint).to.deep.include({host: '192.168.99.100', port: 2376})
    expect(r.endpoint.tls?.dir).to.equal(path.join(machineStore, 'machines', 'node-1'))
    expect(r.machine).to.equal('node-1')
  })

  it('reads the machine\'s SSH user, port and key as well', () => {
    const machine = readMachine('node-1', env)
    expect(machine).to.deep.include({name: 'node-1', driver: 'virtualbox', ip: '192.168.99.100', sshUser: 'docker', sshPort: 50_022})
    expect(machine.sshKeyPath).to.equal(path.join(machineStore, 'machines', 'node-1', 'id_rsa'))
  })

  it('falls back to the store layout when the machine store was moved', () => {
    const moved = path.join(tmp.dir, 'moved')
    writeMachine(moved, 'm', '10.0.0.9')
    writeFileSync(path.join(moved, 'machines', 'm', 'config.json'), JSON.stringify({Driver: {IPAddress: '10.0.0.9'}, HostOptions: {AuthOptions: {StorePath: '/nonexistent/machines/m'}}}))
    const r = resolveEngine({machine: 'm'}, {...env, MACHINE_STORAGE_PATH: moved})
    if (r.endpoint.kind !== 'tcp') throw new Error('expected tcp')
    expect(r.endpoint.tls?.dir).to.equal(path.join(moved, 'machines', 'm'))
  })

  it('refuses two explicit choices', () => {
    expect(() => resolveEngine({host: 'unix:///a', context: 'ctx-ssh'}, env)).to.throw(UsageError, /conflicting options: --host and --context/)
  })

  it('names the unknown context and lists the known ones', () => {
    expect(() => resolveEngine({context: 'nope'}, env)).to.throw(UsageError, /unknown Docker context "nope".*ctx-ssh, ctx-tls, current/)
  })

  it('names the unknown machine and lists the known ones', () => {
    expect(() => resolveEngine({machine: 'node-9'}, env)).to.throw(UsageError, /unknown docker-machine machine "node-9".*known machines: node-1/)
  })

  it('names a missing TLS file', () => {
    expect(() => resolveEngine({}, {...env, DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(tmp.dir, 'none')})).to.throw(
      UsageError,
      new RegExp(`missing TLS file ${path.join(tmp.dir, 'none', 'ca.pem')}`),
    )
  })

  it('names a malformed config.json', () => {
    writeFileSync(path.join(configDir, 'config.json'), '{not json')
    expect(() => resolveEngine({}, env)).to.throw(UsageError, /config\.json is not valid JSON/)
  })
})

describe('parseDockerHost', () => {
  const cases: [string, object][] = [
    ['unix:///var/run/docker.sock', {kind: 'unix', socketPath: '/var/run/docker.sock'}],
    ['tcp://10.0.0.1:2375', {kind: 'tcp', host: '10.0.0.1', port: 2375}],
    ['10.0.0.1:2375', {kind: 'tcp', host: '10.0.0.1', port: 2375}],
    ['tcp://example.org', {kind: 'tcp', host: 'example.org', port: 2375}],
    ['ssh://me@host', {kind: 'ssh', host: 'host', user: 'me', port: undefined}],
    ['ssh://host:2222', {kind: 'ssh', host: 'host', user: undefined, port: 2222}],
    ['tcp://[fd00::1]:2376', {kind: 'tcp', host: 'fd00::1', port: 2376}],
  ]
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => expect(parseDockerHost(text, 'DOCKER_HOST')).to.deep.include(expected))
  }

  for (const bad of ['', 'http://host:2375', 'unix://relative.sock', 'tcp://', 'tcp://host:99999', 'ssh://u:pw@host', 'tcp://host:1/path']) {
    it(`rejects "${bad}" with a usage error naming it`, () => {
      expect(() => parseDockerHost(bad, 'DOCKER_HOST')).to.throw(UsageError, /^invalid DOCKER_HOST/)
    })
  }
})
