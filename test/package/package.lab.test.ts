import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {readFileSync, readdirSync, realpathSync} from 'node:fs'
import path from 'node:path'

import {ROOT, cleanEnv} from '../helpers/cli.js'
import {tempDir} from '../helpers/fixtures.js'
import {labVars, nodeSocket, removeServicesAndNetworks} from '../helpers/lab.js'
import {svgTexts} from '../helpers/picture.js'
import {createService, running} from '../helpers/proxy-lab.js'

function run(file: string, args: string[], options: {cwd: string; env?: NodeJS.ProcessEnv}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(file, args, {cwd: options.cwd, env: options.env ?? cleanEnv(), timeout: 240_000, maxBuffer: 16 << 20}, (error, stdout, stderr) => {
      resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr)})
    })
  })
}

/**
 * swarmnet as users get it: `npm pack`, `npm install -g` of that tarball into an empty prefix, and
 * the installed command run from outside the checkout. Whatever it needs must be in `files`.
 */
describe('the published package, installed with npm install -g', function () {
  this.timeout(300_000)
  let work: ReturnType<typeof tempDir>
  let bin: string
  let elsewhere: string

  before(async () => {
    work = tempDir()
    elsewhere = path.join(work.dir, 'elsewhere')
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', work.dir], {cwd: ROOT, env: process.env})
    expect(packed.code, packed.stderr).to.equal(0)
    const tarball = readdirSync(work.dir).find((f) => f.endsWith('.tgz'))
    expect(tarball, 'npm pack wrote no tarball').to.be.a('string')
    const prefix = path.join(work.dir, 'prefix')
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', path.join(work.dir, tarball!)], {cwd: work.dir, env: process.env})
    expect(installed.code, installed.stderr).to.equal(0)
    bin = path.join(prefix, 'bin', 'swarmnet')
    await run('mkdir', ['-p', elsewhere], {cwd: work.dir})
  })
  after(() => work?.remove())

  const swarmnet = (args: string[]) => run(bin, args, {cwd: elsewhere})

  it('holds no sources, tests or lab state, only what runs', async () => {
    const listed = await run('npm', ['pack', '--dry-run', '--json'], {cwd: ROOT, env: process.env})
    const files: string[] = JSON.parse(listed.stdout)[0].files.map((f: {path: string}) => f.path)
    expect(files).to.include.members(['bin/run.js', 'package.json', 'oclif.manifest.json'])
    expect(files).to.include('dist/swarmnet.cjs') // the whole CLI, bundled
    expect(files).to.include.members(['bin/docker-swarmnet.js', 'dist/docker-plugin.cjs']) // the docker CLI plugin's entry
    expect(files.some((f) => f.startsWith('lab/images/'))).to.equal(true)
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'))).to.deep.equal([])
  })

  it('prints its version and help', async () => {
    const version = await swarmnet(['--version'])
    expect(version.code, version.stderr).to.equal(0)
    expect(version.stdout).to.match(/^swarmnet\/0\.\d+\.\d+ linux-x64 node-v\d+/)
    const help = await swarmnet(['--help'])
    expect(help.code, help.stderr).to.equal(0)
    for (const topic of ['proxy', 'route', 'inspect', 'lab', 'doctor']) expect(help.stdout).to.include(topic)
  })

  it('reports the lab with `lab status`', async () => {
    const status = await swarmnet(['lab', 'status', '--json'])
    expect(status.code, status.stderr + status.stdout).to.equal(0)
    expect(JSON.parse(status.stdout).nodes.map((n: {name: string}) => n.name)).to.deep.equal(['node-1', 'node-2', 'node-3'])
  })

  it('lists the lab\'s nodes through its engine', async () => {
    const nodes = await swarmnet(['node', 'ls', '--json', '-H', nodeSocket('node-1')])
    expect(nodes.code, nodes.stderr).to.equal(0)
    expect(JSON.parse(nodes.stdout).map((n: {hostname: string}) => n.hostname).sort()).to.deep.equal(['node-1', 'node-2', 'node-3'])
  })

  it('installs itself as a docker CLI plugin that runs this installed copy: docker swarmnet node ls', async () => {
    const config = path.join(work.dir, 'docker-config')
    const installed = await swarmnet(['docker-plugin', 'install', '--config-dir', config, '--json'])
    expect(installed.code, installed.stderr).to.equal(0)
    const {runs} = JSON.parse(installed.stdout) as {runs: {node: string; entry: string}}
    // The package npm installed under the prefix, not the checkout it was packed from.
    expect(runs.entry).to.equal(path.join(realpathSync(work.dir), 'prefix', 'lib', 'node_modules', 'swarmnet', 'bin', 'docker-swarmnet.js'))
    const listed = await run('docker', ['--config', config, '-H', nodeSocket('node-1'), 'swarmnet', 'node', 'ls', '--json'], {cwd: elsewhere})
    expect(listed.code, listed.stderr).to.equal(0)
    expect(JSON.parse(listed.stdout).map((n: {hostname: string}) => n.hostname).sort()).to.deep.equal(['node-1', 'node-2', 'node-3'])
    const metadata = await run(path.join(config, 'cli-plugins', 'docker-swarmnet'), ['docker-cli-plugin-metadata'], {cwd: elsewhere})
    expect(JSON.parse(metadata.stdout)).to.deep.include({SchemaVersion: '0.1.0', Vendor: 'swarmnet'})
  })

  it('brings up the proxy, routes go-demo and draws the map as SVG with the Graphviz it installed', async () => {
    const env = cleanEnv(await labVars())
    const inLab = (args: string[]) => run(bin, args, {cwd: elsewhere, env})
    await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
    try {
      const up = await inLab(['proxy', 'up', '--json'])
      expect(up.code, up.stderr).to.equal(0)
      await createService('go-demo', ['--network', 'proxy', '--endpoint-mode', 'dnsrr'])
      await running('go-demo', 1)
      const added = await inLab(['route', 'add', 'go-demo', '/demo', '8080', '--json'])
      expect(added.code, added.stderr).to.equal(0)
      const file = path.join(work.dir, 'map.svg')
      const drawn = await inLab(['map', '--format', 'svg', '--output', file])
      expect(drawn.code, drawn.stderr).to.equal(0)
      // Graphviz writes "-" as &#45;: the texts are read decoded.
      const texts = svgTexts(readFileSync(file, 'utf8')).join('\n')
      for (const name of ['proxy.node-1', 'proxy.node-2', 'proxy.node-3', 'go-demo', 'proxy: 3 replicas answered, no problem seen']) expect(texts, name).to.include(name)
    } finally {
      await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
    }
  })
})
