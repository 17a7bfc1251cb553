import {expect} from 'chai'
import {existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {MARKER, installPlugin, pluginScript, pluginTarget, uninstallPlugin} from '../../../src/lib/docker-plugin/install.js'
import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {tempDir} from '../../helpers/fixtures.js'

describe('docker-plugin install and uninstall (the file docker runs)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  const script = pluginScript('/opt/node dir/bin/node', "/srv/swarm'net/bin/docker-swarmnet.js")

  it('puts the plugin in $DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins, else the directory given', () => {
    expect(pluginTarget(undefined, {HOME: '/home/op'}).file).to.equal('/home/op/.docker/cli-plugins/docker-swarmnet')
    expect(pluginTarget(undefined, {HOME: '/home/op', DOCKER_CONFIG: '/etc/dc'}).file).to.equal('/etc/dc/cli-plugins/docker-swarmnet')
    expect(pluginTarget('/srv/dc', {HOME: '/home/op', DOCKER_CONFIG: '/etc/dc'})).to.deep.equal({configDir: '/srv/dc', file: '/srv/dc/cli-plugins/docker-swarmnet'})
    expect(() => pluginTarget('', {})).to.throw(UsageError, /empty --config-dir/)
  })

  it('writes an executable sh script with the marker that runs this node and entry, quoted for sh', () => {
    const target = pluginTarget(tmp.dir)
    expect(installPlugin(target, script)).to.equal('installed')
    const text = readFileSync(target.file, 'utf8')
    expect(text.split('\n').slice(0, 2)).to.deep.equal(['#!/bin/sh', MARKER])
    expect(text).to.include(`exec '/opt/node dir/bin/node' '/srv/swarm'\\''net/bin/docker-swarmnet.js' "$@"\n`)
    expect(statSync(target.file).mode & 0o777).to.equal(0o755)
  })

  it('says unchanged for the same script, and updated for another of its own', () => {
    const target = pluginTarget(tmp.dir)
    installPlugin(target, script)
    expect(installPlugin(target, script)).to.equal('unchanged')
    expect(installPlugin(target, pluginScript('/usr/bin/node', '/x/bin/docker-swarmnet.js'))).to.equal('updated')
    expect(readFileSync(target.file, 'utf8')).to.include("exec '/usr/bin/node' '/x/bin/docker-swarmnet.js'")
  })

  it('refuses to replace a docker-swarmnet it did not write (a file, a symlink) unless forced, changing nothing', () => {
    const target = pluginTarget(tmp.dir)
    mkdirSync(path.dirname(target.file), {recursive: true})
    writeFileSync(target.file, '#!/bin/sh\necho someone else\n', {mode: 0o755})
    expect(() => installPlugin(target, script)).to.throw(SwarmnetError, /docker-swarmnet exists and was not written by swarmnet \(no swarmnet marker\); not replaced: move it away, or give --force/)
    expect(readFileSync(target.file, 'utf8')).to.equal('#!/bin/sh\necho someone else\n')
    expect(installPlugin(target, script, {force: true})).to.equal('replaced')
    expect(readFileSync(target.file, 'utf8')).to.equal(script)

    const linked = pluginTarget(path.join(tmp.dir, 'other'))
    mkdirSync(path.dirname(linked.file), {recursive: true})
    symlinkSync(target.file, linked.file) // even a link to ours: replacing it would change what it points at
    expect(() => installPlugin(linked, script)).to.throw(SwarmnetError, /\(a symbolic link\)/)
  })

  it('uninstall removes only its own file; a foreign one is refused and left; none there is said so', () => {
    const target = pluginTarget(tmp.dir)
    expect(uninstallPlugin(target)).to.equal(false)
    installPlugin(target, script)
    expect(uninstallPlugin(target)).to.equal(true)
    expect(existsSync(target.file)).to.equal(false)

    mkdirSync(path.dirname(target.file), {recursive: true})
    writeFileSync(target.file, 'binary', {mode: 0o755})
    const error = (() => {
      try {
        uninstallPlugin(target)
      } catch (error_) {
        return error_ as SwarmnetError
      }
    })()
    expect(error?.message).to.equal(`${target.file} was not written by swarmnet (no swarmnet marker); left in place`)
    expect(error?.exitCode).to.equal(1)
    expect(readFileSync(target.file, 'utf8')).to.equal('binary')
  })
})
