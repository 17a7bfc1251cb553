import {expect} from 'chai'

import type {MapRoute, MapService, SwarmMap} from '../../../src/lib/map/map.js'
import {renderDot} from '../../../src/lib/map/render.js'
import {dotToSvg} from '../../../src/lib/map/svg.js'
import {svgNodes, svgTexts} from '../../helpers/picture.js'

const route = (key: string, overrides: Partial<MapRoute> = {}): MapRoute => {
  const [service, index] = key.split('#')
  return {key, service, index: Number(index), paths: [], domains: [], port: '8080', reqMode: 'http', heldBy: [], missingOn: [], differsOn: [], labelled: true, ...overrides}
}

const service = (name: string, tasks: MapService['tasks'], overrides: Partial<MapService> = {}): MapService => ({name, exists: true, mode: 'replicated', endpointMode: 'vip', onProxyNetwork: true, tasks, ...overrides})

/** Every problem state at once: an unanswering replica, one restarting, one lacking a route, a service with no task, an ingress port. */
const TROUBLED: SwarmMap = {
  proxy: {name: 'proxy', mode: 'global', image: 'dockerflow/docker-flow-proxy:latest'},
  entryPoints: [
    {node: 'node-1', address: '10.0.0.11', ports: [80, 443], mode: 'host', replica: 'proxy.node-1'},
    {node: 'node-2', address: '10.0.0.12', ports: [80, 443], mode: 'host', replica: 'proxy.node-2'},
    {node: 'node-3', address: '10.0.0.13', ports: [80, 443], mode: 'host', replica: 'proxy.node-3'},
    {node: 'node-1', address: '10.0.0.11', ports: [8000], mode: 'ingress'},
  ],
  replicas: [
    {task: 'proxy.node-1', node: 'node-1', routes: ['go-demo#0', 'idle#0']},
    {task: 'proxy.node-2', node: 'node-2', routes: ['go-demo#0']},
    {task: 'proxy.node-3', node: 'node-3', routes: [], error: 'timed out after 3s'},
  ],
  routes: [
    route('go-demo#0', {paths: ['/demo'], heldBy: ['proxy.node-1', 'proxy.node-2']}),
    route('idle#0', {paths: ['/idle'], heldBy: ['proxy.node-1'], missingOn: ['proxy.node-2']}),
  ],
  services: [
    service('go-demo', [{task: 'go-demo.1', node: 'node-1', state: 'running', ip: '10.0.1.5'}, {task: 'go-demo.2', node: 'node-2', state: 'running', ip: '10.0.1.6'}, {task: 'go-demo.3', node: 'node-3', state: 'running', ip: '10.0.1.7'}]),
    service('idle', []),
  ],
  problems: [
    {subject: 'idle#0', message: 'missing on proxy.node-2: requests through it get 503'},
    {subject: 'idle', message: 'no running task: the proxy answers 503'},
    {subject: 'proxy.node-3', message: 'its API did not answer: timed out after 3s'},
    {subject: 'proxy.node-4', message: 'not running (starting)'},
    {subject: 'ingress', message: 'ports published through the routing mesh answer nowhere here: this kernel has no IPVS'},
  ],
}

describe('map as SVG (Graphviz in WebAssembly)', function () {
  // Compiling the WebAssembly takes about a second on a slow machine.
  this.timeout(30_000)
  let svg: string
  before(async () => {
    svg = await dotToSvg(renderDot(TROUBLED))
  })

  it('is an SVG document that names every node, replica, route, service and task', () => {
    expect(svg).to.match(/^<\?xml [^>]*\?>\n<!DOCTYPE svg[^>]*>\n[\s\S]*<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n?$/)
    const texts = svgTexts(svg).join('\n')
    const names = ['node-1', 'node-2', 'node-3', 'proxy.node-1', 'proxy.node-2', 'proxy.node-3', 'proxy.node-4', '/demo → go-demo:8080', '/idle → idle:8080', 'go-demo (3 tasks, vip)', 'idle (0 tasks, vip)', 'go-demo.1', 'go-demo.2', 'go-demo.3']
    for (const name of names) expect(texts, name).to.include(name)
    expect([...svgNodes(svg).keys()].sort()).to.deep.equal(
      ['e_10_0_0_11_host', 'e_10_0_0_11_ingress', 'e_10_0_0_12_host', 'e_10_0_0_13_host', 'r_proxy_node_1', 'r_proxy_node_2', 'r_proxy_node_3', 'r_proxy_node_4', 'route_go_demo_0', 'route_idle_0', 's_go_demo', 's_idle', 't_go_demo_1', 't_go_demo_2', 't_go_demo_3'].sort(),
    )
  })

  it('draws each problem state in its own style, and healthy things in theirs', () => {
    const nodes = svgNodes(svg)
    const look = (id: string) => {
      const {fill, stroke, dashed, double} = nodes.get(id)!
      return {fill, stroke, dashed, double}
    }
    const unreachable = {fill: '#e4e4e4', stroke: '#444444', dashed: true, double: false}
    const missingRoute = {fill: '#ffe6c7', stroke: '#e07000', dashed: false, double: false}
    expect(look('r_proxy_node_3')).to.deep.equal(unreachable)
    expect(look('r_proxy_node_4')).to.deep.equal(unreachable)
    expect(look('r_proxy_node_2')).to.deep.equal(missingRoute)
    expect(look('route_idle_0')).to.deep.equal(missingRoute)
    expect(look('s_idle')).to.deep.equal({fill: '#f9c9c9', stroke: '#c0392b', dashed: false, double: false})
    expect(look('e_10_0_0_11_ingress')).to.deep.equal({fill: '#ece0f8', stroke: '#7b3fb3', dashed: false, double: true})
    expect(look('r_proxy_node_1')).to.deep.equal({fill: '#dcebfb', stroke: '#3b6ea5', dashed: false, double: false})
    expect(look('route_go_demo_0')).to.deep.equal({fill: '#fff5d1', stroke: '#b0902a', dashed: false, double: false})
    expect(look('s_go_demo')).to.deep.equal({fill: '#dff3e4', stroke: '#3d8b4f', dashed: false, double: false})
    expect(look('e_10_0_0_12_host')).to.deep.equal({fill: '#eef1f5', stroke: '#6b7785', dashed: false, double: false})
    expect(nodes.get('r_proxy_node_3')!.texts).to.deep.equal(['proxy.node-3', 'node-3', 'unreachable'])
    expect(nodes.get('r_proxy_node_2')!.texts).to.deep.equal(['proxy.node-2', 'node-2', 'lacks 1 route'])
    expect(nodes.get('s_idle')!.texts).to.deep.equal(['idle (0 tasks, vip)', 'no running task'])
    expect(nodes.get('e_10_0_0_11_ingress')!.texts).to.deep.equal(['node-1 · 10.0.0.11:8000', 'ingress: hides client addresses'])
    // The replica lacking the route points to it with a dashed orange "lacks" arrow.
    expect(svg).to.match(/<title>r_proxy_node_2&#45;&gt;route_idle_0<\/title>\n<path fill="none" stroke="#e07000" stroke-width="1.5" stroke-dasharray="5,2"/)
    // Hovering a marked box shows its problem.
    expect(svg).to.include('xlink:title="proxy.node&#45;3: its API did not answer: timed out after 3s"')
  })

  it('names every problem state in the legend, with how many there are, and lists the problems', () => {
    const texts = svgTexts(svg).join('\n')
    expect(texts).to.include('proxy: 2 of 4 replicas answered, 5 problems')
    expect(texts).to.include('2\n × replica unreachable: its API did not answer, or it is not running')
    expect(texts).to.include('2\n × missing route: a replica lacks it (dashed orange "lacks" arrow; requests there get 503)')
    expect(texts).to.include('1\n × service with no running task: the proxy answers 503')
    expect(texts).to.include("1\n × ingress-mode port: the proxy sees the routing mesh's address, not the client's")
    expect(texts).to.include('0 × anything else wrong')
    for (const problem of TROUBLED.problems) expect(texts).to.include(`✗ ${problem.subject}: ${problem.message}`)
    // Each legend entry has its swatch in the problem's colours.
    for (const [fill, stroke] of [['#e4e4e4', '#444444'], ['#ffe6c7', '#e07000'], ['#f9c9c9', '#c0392b'], ['#ece0f8', '#7b3fb3']]) {
      expect(svg).to.match(new RegExp(`<polygon fill="${fill}" stroke="none"[^>]*/>\\n<polygon fill="none" stroke="${stroke}"`))
    }
  })

  it('fails with a one-line error for a graph Graphviz rejects', async () => {
    const error = await dotToSvg('digraph { a -> }').catch((error_: Error) => error_)
    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.match(/^Graphviz could not draw the map: .*syntax error/)
    expect((error as Error).message).to.not.include('\n')
  })
})
