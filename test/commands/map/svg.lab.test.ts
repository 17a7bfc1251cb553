import {expect} from 'chai'
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {LAB_NODES, eventually, onNode, removeServicesAndNetworks} from '../../helpers/lab.js'
import {countPixels, decodePng, screenshot, svgNodes, svgSize, svgTexts} from '../../helpers/picture.js'
import {ok, proxyContainers, proxyWithGoDemo} from '../../helpers/proxy-lab.js'

/** The picture's colours (src/lib/map-render.ts): a replica's fill, and the fills of the two replica problems. */
const REPLICA = '#dcebfb'
const MISSING_ROUTE = '#ffe6c7'
const UNREACHABLE = '#e4e4e4'

/**
 * `map --format svg` on the lab with the book's setup: Graphviz inside swarmnet draws it, headless
 * Chromium paints the file, and the picture is read back pixel by pixel.
 */
describe('swarmnet map --format svg', function () {
  this.timeout(240_000)
  let env: Record<string, string | undefined>
  const dir = tempDir()

  /** Draws the map to a file; returns the SVG and what the same map says as --json. */
  async function draw(name: string, extra: string[] = []): Promise<{svg: string; file: string; map: any}> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const file = path.join(dir.dir, `${name}.svg`)
    const result = await swarmnet(['map', '--format', 'svg', '--output', file, ...extra], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.equal('')
    return {svg: readFileSync(file, 'utf8'), file, map: await ok(['map', '--json', ...extra], env)}
  }

  async function paint(file: string, svg: string) {
    return countPixels(decodePng(await screenshot(file, svgSize(svg))), [REPLICA, MISSING_ROUTE, UNREACHABLE])
  }

  before(async function () {
    this.timeout(300_000)
    env = await proxyWithGoDemo(3, {route: true})
  })
  after(async () => {
    dir.remove()
    await removeServicesAndNetworks(['proxy', 'go-demo'], ['proxy'])
  })

  let healthy: Awaited<ReturnType<typeof paint>>

  it('names every node, replica, route, service and task, and Chromium paints it', async () => {
    const {svg, file, map} = await draw('healthy')
    expect(map.problems).to.deep.equal([])
    const texts = svgTexts(svg).join('\n')
    const replicas = map.replicas.map((r: {task: string}) => r.task)
    expect(replicas).to.deep.equal(LAB_NODES.map((n) => `proxy.${n}`))
    const tasks = map.services.find((s: {name: string}) => s.name === 'go-demo').tasks.map((t: {task: string}) => t.task)
    expect(tasks).to.have.length(3)
    for (const name of [...LAB_NODES, ...replicas, '/demo → go-demo:8080', 'go-demo (3 tasks, dnsrr)', ...tasks]) expect(texts, name).to.include(name)
    const nodes = svgNodes(svg)
    for (const replica of replicas) expect(nodes.get(`r_${replica.replaceAll(/\W/g, '_')}`), replica).to.deep.include({fill: REPLICA, dashed: false})
    expect(texts).to.include('proxy: 3 replicas answered, no problem seen')

    healthy = await paint(file, svg)
    // Drawn, not blank: boxes, text and lines cover a real share of the page.
    expect(healthy.nonWhite / healthy.total).to.be.greaterThan(0.03)
    expect(healthy.exactly[REPLICA], 'the replicas\' blue').to.be.greaterThan(1000)
  })

  it('--open writes the SVG to a private temporary file and hands it to the desktop opener', async () => {
    const bin = path.join(dir.dir, 'bin')
    mkdirSync(bin)
    const said = path.join(dir.dir, 'opened')
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${said}.tmp && mv ${said}.tmp ${said}\n`)
    chmodSync(path.join(bin, 'xdg-open'), 0o755)
    const result = await swarmnet(['map', '--open'], {env: {...env, PATH: `${bin}${path.delimiter}${process.env.PATH}`}})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.equal('')
    await eventually('xdg-open was run', async () => existsSync(said), 10_000)
    const opened = readFileSync(said, 'utf8').trim()
    expect(result.stderr).to.equal(`Opening ${opened}\n`)
    expect(opened).to.match(/\/swarmnet-map-[^/]+\/map\.svg$/)
    expect(svgTexts(readFileSync(opened, 'utf8'))).to.include('proxy.node-1')
    rmSync(path.dirname(opened), {recursive: true})
  })

  it('marks a replica whose API does not answer as unreachable', async () => {
    const victim = (await proxyContainers()).find((c) => c.node === 'node-2')!
    await onNode('node-2', ['pause', victim.id])
    try {
      const {svg, file, map} = await draw('paused', ['--timeout', '3s'])
      expect(map.replicas.find((r: {task: string}) => r.task === 'proxy.node-2').error).to.be.a('string')
      const replica = svgNodes(svg).get('r_proxy_node_2')!
      expect(replica).to.deep.include({fill: UNREACHABLE, stroke: '#444444', dashed: true})
      expect(replica.texts).to.include('unreachable')
      expect(svgTexts(svg).join('\n')).to.match(/\b1\n × replica unreachable/)
      const painted = await paint(file, svg)
      // The legend's swatch is in both pictures; the grey replica box only in this one.
      expect(painted.exactly[UNREACHABLE] - healthy.exactly[UNREACHABLE]).to.be.greaterThan(1000)
    } finally {
      await onNode('node-2', ['unpause', victim.id])
    }
  })

  it('marks a killed replica, restarted without the route, as missing it', async () => {
    const victim = (await proxyContainers()).find((c) => c.node === 'node-3')!
    await onNode('node-3', ['kill', victim.id])
    // Swarm starts a new container; once its API answers it holds no route (nothing re-sent them).
    await eventually('a new proxy replica on node-3 answers', async () => {
      const now = (await proxyContainers()).find((c) => c.node === 'node-3')
      const map = (await swarmnet(['map', '--json'], {env})).json
      return now !== undefined && now.id !== victim.id && map?.replicas.some((r: {task: string; error?: string}) => r.task === 'proxy.node-3' && !r.error)
    }, 120_000)
    const {svg, file, map} = await draw('killed')
    expect(map.routes.find((r: {key: string}) => r.key === 'go-demo#0').missingOn).to.deep.equal(['proxy.node-3'])
    const nodes = svgNodes(svg)
    expect(nodes.get('r_proxy_node_3')).to.deep.include({fill: MISSING_ROUTE, stroke: '#e07000'})
    expect(nodes.get('r_proxy_node_3')!.texts).to.include('lacks 1 route')
    expect(nodes.get('route_go_demo_0')).to.deep.include({fill: MISSING_ROUTE, stroke: '#e07000'})
    expect(nodes.get('r_proxy_node_1')).to.deep.include({fill: REPLICA})
    // The dashed orange "lacks" arrow from the replica to the route.
    expect(svg).to.match(/<title>r_proxy_node_3&#45;&gt;route_go_demo_0<\/title>\n<path fill="none" stroke="#e07000" stroke-width="1.5" stroke-dasharray="5,2"/)
    const texts = svgTexts(svg).join('\n')
    expect(texts).to.match(/\b2\n × missing route/)
    expect(texts).to.include('✗ go-demo#0: missing on proxy.node-3: requests through it get 503')
    const painted = await paint(file, svg)
    expect(painted.exactly[MISSING_ROUTE] - healthy.exactly[MISSING_ROUTE]).to.be.greaterThan(2000)
  })
})
