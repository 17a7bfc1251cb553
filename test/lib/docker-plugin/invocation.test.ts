import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {pluginInvocation} from '../../../src/lib/docker-plugin/invocation.js'
import {resolveEngine} from '../../../src/lib/docker/resolve.js'
import {UsageError} from '../../../src/lib/core/errors.js'
import {tempDir, writeContext} from '../../helpers/fixtures.js'

const HOME = '/home/op'
const call = (argv: string[], env: NodeJS.ProcessEnv = {HOME}) => pluginInvocation(argv, env, '/work')

function usageError(argv: string[], env: NodeJS.ProcessEnv = {HOME}): UsageError {
  try {
    call(argv, env)
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).exitCode).to.equal(2)
    return error as UsageError
  }

  throw new Error(`no error for ${argv.join(' ')}`)
}

describe('pluginInvocation: docker\'s arguments to a swarmnet run', () => {
  it('drops "swarmnet" and passes the rest untouched when docker had no options', () => {
    expect(call(['swarmnet', 'route', 'add', 'go-demo', '/demo', '8080'])).to.deep.equal({argv: ['route', 'add', 'go-demo', '/demo', '8080'], env: {}})
  })

  it('maps -H and --context, in every spelling pflag accepts, onto swarmnet\'s flags after the command', () => {
    for (const options of [['-H', 'unix:///s.sock'], ['--host', 'unix:///s.sock'], ['--host=unix:///s.sock'], ['-H=unix:///s.sock'], ['-Hunix:///s.sock']]) {
      expect(call([...options, 'swarmnet', 'node', 'ls', '--json']).argv, options.join(' ')).to.deep.equal(['node', 'ls', '--json', '--host', 'unix:///s.sock'])
    }

    for (const options of [['-c', 'lab'], ['--context', 'lab'], ['--context=lab'], ['-clab']]) {
      expect(call([...options, 'swarmnet', 'node', 'ls']).argv, options.join(' ')).to.deep.equal(['node', 'ls', '--context', 'lab'])
    }
  })

  it('keeps arguments that look like docker options once "swarmnet" is passed', () => {
    expect(call(['swarmnet', 'node', 'ls', '-H', 'unix:///x', '-D']).argv).to.deep.equal(['node', 'ls', '-H', 'unix:///x', '-D'])
  })

  it('puts the mapped flags before a "--"', () => {
    expect(call(['-H', 'unix:///s', 'swarmnet', 'x', '--', '-y']).argv).to.deep.equal(['x', '--host', 'unix:///s', '--', '-y'])
  })

  it('passes nothing for a bare "docker swarmnet" (the overview, which connects nowhere)', () => {
    expect(call(['-H', 'unix:///s', 'swarmnet'])).to.deep.equal({argv: [], env: {}})
  })

  it('maps --config to DOCKER_CONFIG (made absolute) and keeps docker\'s default cert path', () => {
    expect(call(['--config', 'conf', 'swarmnet', 'node', 'ls']).env).to.deep.equal({DOCKER_CONFIG: '/work/conf'})
    expect(call(['--config=/etc/dc', 'swarmnet', 'node', 'ls']).env).to.deep.equal({DOCKER_CONFIG: '/etc/dc'})
    // docker reads its cert path before its flags: DOCKER_CONFIG from the environment, not --config.
    expect(call(['--config', '/etc/dc', '--tlsverify', 'swarmnet', 'node', 'ls'], {HOME, DOCKER_CONFIG: '/env/dc'}).env).to.deep.equal({
      DOCKER_CONFIG: '/etc/dc',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/env/dc',
    })
  })

  it('turns on SWARMNET_DEBUG for -D, --debug and --log-level debug, and accepts docker\'s other levels', () => {
    for (const options of [['-D'], ['--debug'], ['--debug=true'], ['-l', 'debug'], ['--log-level=debug'], ['-Dl', 'warn']]) {
      expect(call([...options, 'swarmnet', 'doctor']).env, options.join(' ')).to.deep.equal({SWARMNET_DEBUG: '1'})
    }

    for (const options of [['-l', 'warn'], ['--log-level', 'error'], ['--debug=false'], ['-D=false']]) {
      expect(call([...options, 'swarmnet', 'doctor']).env, options.join(' ')).to.deep.equal({})
    }
  })

  it('groups shorthands as pflag does: -DH value, -Dc=ctx', () => {
    expect(call(['-DH', 'unix:///s', 'swarmnet', 'node', 'ls'])).to.deep.equal({argv: ['node', 'ls', '--host', 'unix:///s'], env: {SWARMNET_DEBUG: '1'}})
    expect(call(['-Dc=lab', 'swarmnet', 'node', 'ls'])).to.deep.equal({argv: ['node', 'ls', '--context', 'lab'], env: {SWARMNET_DEBUG: '1'}})
  })

  describe('TLS, by docker\'s rules', () => {
    it('--tlsverify: verified TLS with the default cert path ($DOCKER_CERT_PATH, else $DOCKER_CONFIG, else ~/.docker)', () => {
      expect(call(['--tlsverify', '-H', 'tcp://10.0.0.1:2376', 'swarmnet', 'node', 'ls']).env).to.deep.equal({DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/home/op/.docker'})
      expect(call(['--tlsverify=true', 'swarmnet', 'node', 'ls'], {HOME, DOCKER_CERT_PATH: '/certs'}).env).to.deep.equal({DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs'})
    })

    it('--tlscacert, --tlscert and --tlskey in one directory become DOCKER_CERT_PATH', () => {
      const {env} = call(['--tlsverify', '--tlscacert', 'certs/ca.pem', '--tlscert=certs/cert.pem', '--tlskey', '/work/certs/key.pem', 'swarmnet', 'node', 'ls'])
      expect(env).to.deep.equal({DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/work/certs'})
    })

    it('DOCKER_TLS_VERIFY from the environment is kept, as docker keeps it', () => {
      expect(call(['swarmnet', 'node', 'ls'], {HOME, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c'}).env).to.deep.equal({DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c'})
    })

    it('TLS files without --tlsverify (TLS off) change nothing', () => {
      expect(call(['--tlscacert', '/x/ca.pem', 'swarmnet', 'node', 'ls']).env).to.deep.equal({})
    })

    it('refuses TLS that would not verify the engine, naming the option', () => {
      expect(usageError(['--tls', 'swarmnet', 'node', 'ls']).message).to.match(/^--tls without --tlsverify asks for TLS without checking the engine's certificate.*use --tlsverify/)
      expect(usageError(['--tlsverify=false', 'swarmnet', 'node', 'ls'], {HOME, DOCKER_TLS_VERIFY: '1'}).message).to.match(/^--tlsverify=false asks for TLS without checking/)
    })

    it('--tls=false with no TLS in the environment is plain, as in docker', () => {
      expect(call(['--tls=false', 'swarmnet', 'node', 'ls']).env).to.deep.equal({})
    })

    it('refuses TLS files swarmnet cannot read as one DOCKER_CERT_PATH, naming the file and what was expected', () => {
      expect(usageError(['--tlsverify', '--tlscacert', '/a/ca.pem', '--tlscert', '/b/cert.pem', 'swarmnet', 'node', 'ls']).message).to.equal(
        '--tlscert "/b/cert.pem": swarmnet reads ca.pem, cert.pem and key.pem from one directory, as with DOCKER_CERT_PATH; expected /a/cert.pem',
      )
      expect(usageError(['--tlsverify', '--tlscacert', '/a/my-ca.crt', 'swarmnet', 'x']).message).to.include('expected /a/ca.pem')
    })
  })

  describe('bad input: one line naming the value and what was expected, exit 2', () => {
    it('an unknown docker option', () => {
      expect(usageError(['--frobnicate', 'swarmnet', 'node', 'ls']).message).to.match(/^unknown docker option "--frobnicate"; expected docker's global options \(-H, --context/)
      expect(usageError(['-x', 'swarmnet']).message).to.match(/^unknown docker option "-x" in "-x"/)
    })

    it('an option without its value', () => {
      expect(usageError(['--config']).message).to.match(/^docker option --config needs a value/)
    })

    it('more than one -H, as docker refuses', () => {
      expect(usageError(['-H', 'unix:///a', '-H', 'unix:///b', 'swarmnet', 'x']).message).to.equal('specify only one -H (docker\'s rule); got "unix:///a" and "unix:///b"')
    })

    it('a bad boolean or log level', () => {
      expect(usageError(['--tls=maybe', 'swarmnet']).message).to.equal('invalid --tls value "maybe"; expected true or false')
      expect(usageError(['-l', 'loud', 'swarmnet', 'x']).message).to.match(/^invalid --log-level "loud"; expected one of debug, info/)
    })

    it('run without docker: no "swarmnet" in the arguments', () => {
      expect(usageError([]).message).to.match(/^docker-swarmnet is a docker CLI plugin, run by docker as "docker swarmnet COMMAND"/)
      expect(usageError(['node', 'ls']).message).to.match(/^unexpected "node" before "swarmnet"/)
    })
  })

  it('reaches swarmnet\'s own connection rules: --tlsverify and --tlscacert with -H resolve to verified TLS from those files', () => {
    const tmp = tempDir()
    try {
      const certs = path.join(tmp.dir, 'certs')
      mkdirSync(certs)
      for (const f of ['ca', 'cert', 'key']) writeFileSync(path.join(certs, `${f}.pem`), `${f}-content`)
      const {argv, env} = pluginInvocation(['--tlsverify', '--tlscacert', path.join(certs, 'ca.pem'), '-H', 'tcp://10.0.0.1', 'swarmnet', 'node', 'ls'], {HOME: tmp.dir})
      expect(argv.slice(-2)).to.deep.equal(['--host', 'tcp://10.0.0.1'])
      const resolved = resolveEngine({host: argv.at(-1)}, {HOME: tmp.dir, ...env})
      expect(resolved.endpoint).to.include({kind: 'tcp', host: '10.0.0.1', port: 2376})
      const {tls} = resolved.endpoint as {tls: {verify: boolean; ca: Buffer; cert: Buffer; dir: string}}
      expect([tls.verify, tls.ca.toString(), tls.cert.toString(), tls.dir]).to.deep.equal([true, 'ca-content', 'cert-content', certs])
    } finally {
      tmp.remove()
    }
  })

  it('reaches swarmnet\'s own connection rules: --config and --context find the context in that config directory', () => {
    const tmp = tempDir()
    try {
      writeContext(path.join(tmp.dir, 'dc'), 'far', 'ssh://deploy@10.1.0.5')
      const {argv, env} = pluginInvocation(['--config', path.join(tmp.dir, 'dc'), '--context', 'far', 'swarmnet', 'node', 'ls'], {HOME: tmp.dir})
      expect(resolveEngine({context: argv.at(-1)}, {HOME: tmp.dir, ...env})).to.deep.include({endpoint: {kind: 'ssh', host: '10.1.0.5', user: 'deploy', port: undefined}, context: 'far'})
    } finally {
      tmp.remove()
    }
  })
})
