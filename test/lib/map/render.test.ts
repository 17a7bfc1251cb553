import {expect} from 'chai'

import type {MapRoute, MapService, SwarmMap} from '../../../src/lib/map/map.js'
import {renderDot, renderMermaid, renderTree} from '../../../src/lib/map/render.js'
import {colour} from '../../../src/lib/ui/output.js'
import {withoutColour} from '../../helpers/fixtures.js'

const route = (key: string, overrides: Partial<MapRoute> = {}): MapRoute => {
  const [service, index] = key.split('#')
  return {key, service, index: Number(index), paths: [], domains: [], port: '8080', reqMode: 'http', heldBy: [], missingOn: [], differsOn: [], labelled: true, ...overrides}
}

const service = (name: string, tasks: MapService['tasks'], overrides: Partial<MapService> = {}): MapService => ({name, exists: true, mode: 'replicated', endpointMode: 'vip', onProxyNetwork: true, tasks, ...overrides})

/** Two replicas, one lacking a route, one that could not be asked; a starting task; problems of every kind. */
const TROUBLED: SwarmMap = {
  proxy: {name: 'proxy', mode: 'replicated', image: 'dockerflow/docker-flow-proxy:latest'},
  entryPoints: [
    {node: 'node-1', address: '10.0.0.11', ports: [80, 443], mode: 'host', replica: 'proxy.1'},
    {node: 'node-2', address: '10.0.0.12', ports: [80, 443], mode: 'host', replica: 'proxy.2'},
    {node: 'node-1', address: '10.0.0.11', ports: [8000], mode: 'ingress'},
  ],
  replicas: [
    {task: 'proxy.1', node: 'node-1', routes: ['api', 'go-demo']},
    {task: 'proxy.2', node: 'node-2', routes: ['go-demo']},
    {task: 'proxy.3', node: 'node-3', routes: [], error: 'timed out'},
  ],
  routes: [
    route('api#1', {paths: ['/api'], domains: ['api.example.com'], srcPort: 8443, heldBy: ['proxy.1'], missingOn: ['proxy.2']}),
    route('go-demo#0', {paths: ['/demo'], heldBy: ['proxy.1', 'proxy.2']}),
  ],
  services: [
    service('api', [{task: 'api.node-1', node: 'node-1', state: 'running', ip: '10.0.1.21'}], {mode: 'global', endpointMode: 'dnsrr'}),
    service('go-demo', [{task: 'go-demo.1', node: 'node-1', state: 'running', ip: '10.0.1.5'}, {task: 'go-demo.2', node: 'node-2', state: 'starting', ip: '10.0.1.6'}]),
  ],
  problems: [
    {subject: 'api#1', message: 'missing on proxy.2: requests through it get 503'},
    {subject: 'proxy.3', message: 'its API did not answer: timed out'},
    {subject: 'lonely', message: 'labelled with a route that no replica holds: `swarmnet route sync`'},
    {subject: 'ingress', message: 'ports published through the routing mesh answer nowhere here: this kernel has no IPVS'},
  ],
}

/** Everything as it should be: two replicas with the same routes. */
const HEALTHY: SwarmMap = {
  proxy: {name: 'proxy', mode: 'global', image: 'dockerflow/docker-flow-proxy:latest'},
  entryPoints: [
    {node: 'node-1', address: '10.0.0.11', ports: [80], mode: 'host', replica: 'proxy.node-1'},
    {node: 'node-2', address: '10.0.0.12', ports: [80], mode: 'host', replica: 'proxy.node-2'},
  ],
  replicas: [
    {task: 'proxy.node-1', node: 'node-1', routes: ['go-demo']},
    {task: 'proxy.node-2', node: 'node-2', routes: ['go-demo']},
  ],
  routes: [route('go-demo#0', {paths: ['/demo'], heldBy: ['proxy.node-1', 'proxy.node-2']})],
  services: [service('go-demo', [{task: 'go-demo.1', node: 'node-2', state: 'running', ip: '10.0.1.5'}])],
  problems: [],
}

/** Mermaid's flowchart lines as renderMermaid writes them. */
const MERMAID_LINE = /^(flowchart LR| {2}[A-Za-z0-9_]+\["(?:[^"])*"\]| {2}[A-Za-z0-9_]+ --> [A-Za-z0-9_]+| {2}[A-Za-z0-9_]+ -\. lacks \.-> [A-Za-z0-9_]+| {2}classDef problem fill:#fde2e2,stroke:#c00,color:#900| {2}class [A-Za-z0-9_]+(,[A-Za-z0-9_]+)* problem)$/

describe('map-render', () => {
  withoutColour(colour)

  describe('renderTree', () => {
    it('draws entry points, each replica\'s routes to services and tasks, and marks every problem', () => {
      expect(renderTree(TROUBLED)).to.equal(
        [
          'Entry points',
          '├─ 10.0.0.11:80,443 → proxy.1  (host, node-1)',
          '├─ 10.0.0.12:80,443 → proxy.2  (host, node-2)',
          '└─ 10.0.0.11:8000 → any replica (routing mesh)  (ingress, node-1)',
          '',
          'proxy.1',
          '├─ ✗ /api host api.example.com :8443 http → api:8080 — missing on proxy.2: requests through it get 503',
          '│  └─ api (global, dnsrr)',
          '│     └─ api.node-1  node-1  10.0.1.21',
          '└─ /demo → go-demo:8080',
          '   └─ go-demo (2 tasks, vip)',
          '      ├─ go-demo.1  node-1  10.0.1.5',
          '      └─ go-demo.2  node-2  10.0.1.6  (starting)',
          '',
          'proxy.2',
          '└─ /demo → go-demo:8080',
          '   └─ go-demo (2 tasks, vip)',
          '      ├─ go-demo.1  node-1  10.0.1.5',
          '      └─ go-demo.2  node-2  10.0.1.6  (starting)',
          '',
          '✗ proxy.3 — its API did not answer: timed out',
          '',
          '✗ /api host api.example.com :8443 http → api:8080 is missing on proxy.2',
          '',
          '✗ lonely: labelled with a route that no replica holds: `swarmnet route sync`',
          '',
          '✗ ingress: ports published through the routing mesh answer nowhere here: this kernel has no IPVS',
        ].join('\n'),
      )
    })

    it('shows replicas with the same routes once', () => {
      expect(renderTree(HEALTHY)).to.equal(
        [
          'Entry points',
          '├─ 10.0.0.11:80 → proxy.node-1  (host, node-1)',
          '└─ 10.0.0.12:80 → proxy.node-2  (host, node-2)',
          '',
          'proxy.node-1, proxy.node-2  (same routes)',
          '└─ /demo → go-demo:8080',
          '   └─ go-demo (1 task, vip)',
          '      └─ go-demo.1  node-2  10.0.1.5',
        ].join('\n'),
      )
    })

    it('never groups replicas that could not be asked', () => {
      const map: SwarmMap = {...HEALTHY, entryPoints: [], replicas: [{task: 'p.1', node: 'n1', routes: [], error: 'a'}, {task: 'p.2', node: 'n2', routes: [], error: 'a'}], routes: [], services: [], problems: [{subject: 'p.1', message: 'a'}, {subject: 'p.2', message: 'a'}]}
      expect(renderTree(map)).to.equal(['Entry points', '└─ (the proxy publishes no port)', '', '✗ p.1 — a', '', '✗ p.2 — a'].join('\n'))
    })

    it('says when a replica holds no route, and when a host port has no replica', () => {
      const map: SwarmMap = {...HEALTHY, entryPoints: [{node: 'node-9', address: '10.0.0.19', ports: [80], mode: 'host'}], replicas: [{task: 'proxy.1', node: 'node-1', routes: []}], routes: [], services: []}
      expect(renderTree(map)).to.equal(['Entry points', '└─ 10.0.0.19:80 → (no replica)  (host, node-9)', '', 'proxy.1', '└─ (no routes)'].join('\n'))
    })

    it('describes routes: domains, "(any)", the proxy port and mode; services: task counts, global, missing ones', () => {
      const map: SwarmMap = {
        ...HEALTHY,
        entryPoints: [],
        replicas: [{task: 'proxy.1', node: 'node-1', routes: ['db', 'ghost', 'web']}],
        routes: [
          route('db#0', {port: '5432', srcPort: 5432, reqMode: 'tcp', heldBy: ['proxy.1']}),
          route('ghost#0', {paths: ['/g'], heldBy: ['proxy.1'], labelled: false}),
          route('web#0', {paths: ['/', '/x'], domains: ['a.com', 'b.com'], port: '80', heldBy: ['proxy.1']}),
        ],
        services: [
          service('db', [], {endpointMode: 'dnsrr'}),
          service('ghost', [], {exists: false, onProxyNetwork: false, mode: undefined, endpointMode: undefined}),
          service('web', [{task: 'web.1', node: 'node-1', state: 'running'}, {task: 'web.2', node: 'node-1', state: 'running'}, {task: 'web.3', node: 'node-3', state: 'preparing', ip: '10.0.1.9'}]),
        ],
        problems: [
          {subject: 'db', message: 'no running task: the proxy answers 503'},
          {subject: 'ghost', message: 'no such service: the proxy routes to a name that does not resolve (503)'},
        ],
      }
      expect(renderTree(map)).to.equal(
        [
          'Entry points',
          '└─ (the proxy publishes no port)',
          '',
          'proxy.1',
          '├─ (any) :5432 tcp → db:5432',
          '│  └─ ✗ db (0 tasks, dnsrr) — no running task: the proxy answers 503',
          '├─ /g → ghost:8080',
          '│  └─ ✗ ghost — no such service: the proxy routes to a name that does not resolve (503)',
          '└─ / /x host a.com host b.com → web:80',
          '   └─ web (3 tasks, vip)',
          '      ├─ web.1  node-1',
          '      ├─ web.2  node-1',
          '      └─ web.3  node-3  10.0.1.9  (preparing)',
        ].join('\n'),
      )
    })

    it('marks problems in red when colour is on', () => {
      colour.level = 1
      try {
        const out = renderTree(TROUBLED)
        expect(out).to.include('\u001B[31m✗ /api host api.example.com :8443 http → api:8080 — missing on proxy.2: requests through it get 503\u001B[39m')
        expect(out).to.include('\u001B[1m\u001B[31m✗ proxy.3 — its API did not answer: timed out\u001B[39m\u001B[22m')
        expect(out).to.include('\u001B[31m✗ lonely: labelled with a route that no replica holds: `swarmnet route sync`\u001B[39m')
      } finally {
        colour.level = 0
      }
    })

    it('does not show replicas as having "(same routes)" when one lacks a destination of a route they both hold', () => {
      // proxy.2 missed `route add go-demo ... --port-index 2`: both hold go-demo, but not the same destinations.
      const map: SwarmMap = {
        ...HEALTHY,
        entryPoints: [],
        replicas: [{task: 'proxy.1', node: 'node-1', routes: ['go-demo#1', 'go-demo#2']}, {task: 'proxy.2', node: 'node-2', routes: ['go-demo#1']}],
        routes: [route('go-demo#1', {paths: ['/demo'], heldBy: ['proxy.1', 'proxy.2']}), route('go-demo#2', {paths: ['/v2'], heldBy: ['proxy.1'], missingOn: ['proxy.2']})],
        problems: [{subject: 'go-demo#2', message: 'missing on proxy.2: requests through it get 503'}],
      }
      const out = renderTree(map)
      expect(out).to.not.include('(same routes)')
      expect(out.split('\n')).to.include('proxy.2')
    })
  })

  describe('renderMermaid', () => {
    it('draws the troubled map: ids, quoted labels, edges, dashed "lacks" edges, problems classed', () => {
      expect(renderMermaid(TROUBLED)).to.equal(
        [
          'flowchart LR',
          '  e_10_0_0_11_host["10.0.0.11:80,443<br/>host"]',
          '  e_10_0_0_12_host["10.0.0.12:80,443<br/>host"]',
          '  e_10_0_0_11_ingress["10.0.0.11:8000<br/>ingress"]',
          '  r_proxy_1["proxy.1<br/>node-1"]',
          '  r_proxy_2["proxy.2<br/>node-2"]',
          '  r_proxy_3["proxy.3<br/>node-3"]',
          '  route_api_1["/api host api.example.com :8443 http → api:8080"]',
          '  route_go_demo_0["/demo → go-demo:8080"]',
          '  s_api["api (global, dnsrr)"]',
          '  t_api_node_1["api.node-1<br/>node-1 10.0.1.21"]',
          '  s_go_demo["go-demo (2 tasks, vip)"]',
          '  t_go_demo_1["go-demo.1<br/>node-1 10.0.1.5"]',
          '  t_go_demo_2["go-demo.2<br/>node-2 10.0.1.6"]',
          '  e_10_0_0_11_host --> r_proxy_1',
          '  e_10_0_0_12_host --> r_proxy_2',
          '  e_10_0_0_11_ingress --> r_proxy_1',
          '  e_10_0_0_11_ingress --> r_proxy_2',
          '  e_10_0_0_11_ingress --> r_proxy_3',
          '  r_proxy_1 --> route_api_1',
          '  r_proxy_2 -. lacks .-> route_api_1',
          '  route_api_1 --> s_api',
          '  r_proxy_1 --> route_go_demo_0',
          '  r_proxy_2 --> route_go_demo_0',
          '  route_go_demo_0 --> s_go_demo',
          '  s_api --> t_api_node_1',
          '  s_go_demo --> t_go_demo_1',
          '  s_go_demo --> t_go_demo_2',
          '  classDef problem fill:#fde2e2,stroke:#c00,color:#900',
          '  class e_10_0_0_11_ingress,r_proxy_3,route_api_1,t_go_demo_2 problem',
        ].join('\n'),
      )
    })

    it('writes no class line when there is no problem', () => {
      const out = renderMermaid(HEALTHY)
      expect(out).to.equal(
        [
          'flowchart LR',
          '  e_10_0_0_11_host["10.0.0.11:80<br/>host"]',
          '  e_10_0_0_12_host["10.0.0.12:80<br/>host"]',
          '  r_proxy_node_1["proxy.node-1<br/>node-1"]',
          '  r_proxy_node_2["proxy.node-2<br/>node-2"]',
          '  route_go_demo_0["/demo → go-demo:8080"]',
          '  s_go_demo["go-demo (1 task, vip)"]',
          '  t_go_demo_1["go-demo.1<br/>node-2 10.0.1.5"]',
          '  e_10_0_0_11_host --> r_proxy_node_1',
          '  e_10_0_0_12_host --> r_proxy_node_2',
          '  r_proxy_node_1 --> route_go_demo_0',
          '  r_proxy_node_2 --> route_go_demo_0',
          '  route_go_demo_0 --> s_go_demo',
          '  s_go_demo --> t_go_demo_1',
          '  classDef problem fill:#fde2e2,stroke:#c00,color:#900',
        ].join('\n'),
      )
      expect(out).to.not.match(/^ {2}class /m)
    })

    it('escapes quotes as #quot; and keeps ids to [A-Za-z0-9_] whatever the names', () => {
      const map: SwarmMap = {
        ...HEALTHY,
        entryPoints: [{node: 'node-1', address: 'fd00::11', ports: [80], mode: 'host', replica: 'proxy.node-1'}],
        replicas: [{task: 'proxy.node-1', node: 'node-1', routes: ['app_web.v2']}],
        routes: [route('app_web.v2#0', {paths: ['/say"hi"'], domains: ['*.example.com'], heldBy: ['proxy.node-1']})],
        services: [service('app_web.v2', [{task: 'app_web.v2.1', node: 'node-1', state: 'running', ip: '10.0.1.5'}])],
        problems: [{subject: 'app_web.v2', message: 'x'}],
      }
      const out = renderMermaid(map)
      for (const line of out.split('\n')) expect(line).to.match(MERMAID_LINE)
      expect(out).to.include('  route_app_web_v2_0["/say#quot;hi#quot; host *.example.com → app_web.v2:8080"]')
      expect(out).to.include('  e_fd00__11_host["[fd00::11]:80<br/>host"]')
      expect(out.split('\n').at(-1)).to.equal('  class s_app_web_v2 problem')
    })

    it('writes only valid lines for the troubled map', () => {
      for (const line of renderMermaid(TROUBLED).split('\n')) expect(line).to.match(MERMAID_LINE)
    })

    it('gives services whose names differ only in "-" and "_" (go-demo, go_demo: both valid Swarm names) nodes of their own', () => {
      const map: SwarmMap = {
        ...HEALTHY,
        entryPoints: [],
        replicas: [{task: 'proxy.1', node: 'node-1', routes: ['go-demo', 'go_demo']}],
        routes: [route('go-demo#0', {paths: ['/a'], heldBy: ['proxy.1']}), route('go_demo#0', {paths: ['/b'], heldBy: ['proxy.1']})],
        services: [service('go-demo', [{task: 'go-demo.1', node: 'node-1', state: 'running'}]), service('go_demo', [{task: 'go_demo.1', node: 'node-1', state: 'running'}])],
      }
      const ids = renderMermaid(map)
        .split('\n')
        .filter((line) => line.includes('["'))
        .map((line) => line.trim().split('[')[0])
      expect(ids).to.have.lengthOf(7)
      expect(new Set(ids).size).to.equal(ids.length)
    })
  })

  describe('renderDot', () => {
    const nodeLine = (dot: string, id: string) => dot.split('\n').find((line) => line.startsWith(`  ${id} [`))!

    it('draws every thing once, with the node name on entry points and each problem in its own style', () => {
      const dot = renderDot(TROUBLED)
      expect(dot.split('\n').slice(0, 4).join('\n')).to.match(/^digraph swarmnet \{\n {2}graph \[rankdir=LR, .*label=<<TABLE .*<\/TABLE>>\];\n {2}node \[shape=box, .*\];\n {2}edge \[.*\];$/)
      expect(nodeLine(dot, 'e_10_0_0_11_host')).to.equal('  e_10_0_0_11_host [label="node-1 · 10.0.0.11:80,443\\nhost mode", style="filled", fillcolor="#eef1f5", color="#6b7785"];')
      expect(nodeLine(dot, 'e_10_0_0_11_ingress')).to.equal(
        '  e_10_0_0_11_ingress [label="node-1 · 10.0.0.11:8000\\ningress: hides client addresses", style="filled", fillcolor="#ece0f8", color="#7b3fb3", peripheries=2, tooltip="ingress: ports published through the routing mesh answer nowhere here: this kernel has no IPVS"];',
      )
      expect(nodeLine(dot, 'r_proxy_1')).to.equal('  r_proxy_1 [label="proxy.1\\nnode-1", fillcolor="#dcebfb", color="#3b6ea5"];')
      expect(nodeLine(dot, 'r_proxy_2')).to.equal('  r_proxy_2 [label="proxy.2\\nnode-2\\nlacks 1 route", fillcolor="#ffe6c7", color="#e07000", penwidth=2.5, tooltip="api#1: missing on proxy.2: requests through it get 503"];')
      expect(nodeLine(dot, 'r_proxy_3')).to.equal('  r_proxy_3 [label="proxy.3\\nnode-3\\nunreachable", fillcolor="#e4e4e4", color="#444444", style="rounded,filled,dashed", fontcolor="#444444", penwidth=2, tooltip="proxy.3: its API did not answer: timed out"];')
      expect(nodeLine(dot, 'route_api_1')).to.include('label="/api host api.example.com :8443 http → api:8080", fillcolor="#ffe6c7", color="#e07000", penwidth=2.5')
      expect(nodeLine(dot, 'route_go_demo_0')).to.equal('  route_go_demo_0 [label="/demo → go-demo:8080", fillcolor="#fff5d1", color="#b0902a"];')
      expect(nodeLine(dot, 's_go_demo')).to.equal('  s_go_demo [label="go-demo (2 tasks, vip)", fillcolor="#dff3e4", color="#3d8b4f"];')
      expect(nodeLine(dot, 't_go_demo_2')).to.equal('  t_go_demo_2 [label="go-demo.2\\nnode-2 10.0.1.6\\nstarting", fillcolor="#ffffff", color="#c0392b", fontsize=10, fontcolor="#7a1010", penwidth=2];')
      expect(dot).to.include('  {rank=same; r_proxy_1; r_proxy_2; r_proxy_3;}')
      expect(dot).to.include('  r_proxy_2 -> route_api_1 [style="dashed", color="#e07000", fontcolor="#e07000", penwidth=1.5, label="lacks"];')
      expect(dot).to.include('  e_10_0_0_11_ingress -> r_proxy_3;')
      expect(dot).to.include('  s_go_demo -> t_go_demo_2;')
      expect(dot.endsWith('\n}')).to.equal(true)
    })

    it('draws a service with no running task in red, and a replica that is not running as unreachable', () => {
      const map: SwarmMap = {
        ...HEALTHY,
        routes: [route('go-demo#0', {paths: ['/demo'], heldBy: ['proxy.node-1', 'proxy.node-2']}), route('idle#0', {paths: ['/idle'], heldBy: ['proxy.node-1', 'proxy.node-2']})],
        services: [...HEALTHY.services, service('idle', [])],
        problems: [{subject: 'idle', message: 'no running task: the proxy answers 503'}, {subject: 'proxy.node-3', message: 'not running (starting)'}],
      }
      const dot = renderDot(map)
      expect(nodeLine(dot, 's_idle')).to.equal('  s_idle [label="idle (0 tasks, vip)\\nno running task", fillcolor="#f9c9c9", color="#c0392b", style="rounded,filled,bold", fontcolor="#7a1010", penwidth=2.5, tooltip="idle: no running task: the proxy answers 503"];')
      expect(nodeLine(dot, 'r_proxy_node_3')).to.include('label="proxy.node-3\\nnot running (starting)", fillcolor="#e4e4e4", color="#444444", style="rounded,filled,dashed"')
      expect(dot).to.include('{rank=same; r_proxy_node_1; r_proxy_node_2; r_proxy_node_3;}')
    })

    it('names every problem state in the legend with its count, then lists the problems', () => {
      const legend = /label=<(<TABLE.*<\/TABLE>)>\];/.exec(renderDot(TROUBLED))![1]
      expect(legend).to.include('<B>proxy: 2 of 3 replicas answered, 4 problems</B>')
      expect(legend).to.include('<TD WIDTH="34" HEIGHT="16" BORDER="2" BGCOLOR="#e4e4e4" COLOR="#444444" STYLE="dashed"></TD><TD ALIGN="LEFT"><B>1</B> × replica unreachable: its API did not answer, or it is not running</TD>')
      expect(legend).to.include('BGCOLOR="#ffe6c7" COLOR="#e07000"></TD><TD ALIGN="LEFT"><B>2</B> × missing route: a replica lacks it (dashed orange &quot;lacks&quot; arrow; requests there get 503)</TD>')
      expect(legend).to.include('BGCOLOR="#f9c9c9" COLOR="#c0392b"></TD><TD ALIGN="LEFT"><FONT COLOR="#8a8a8a">0 × service with no running task: the proxy answers 503</FONT></TD>')
      expect(legend).to.include('BGCOLOR="#ece0f8" COLOR="#7b3fb3"></TD><TD ALIGN="LEFT"><B>1</B> × ingress-mode port: the proxy sees the routing mesh\'s address, not the client\'s</TD>')
      expect(legend).to.include('<B>1</B> × anything else wrong, or a task not running')
      expect(legend).to.include('✗ lonely: labelled with a route that no replica holds: `swarmnet route sync`')
      for (const kind of ['entry point (node)', 'proxy replica', 'route', 'service', 'task']) expect(legend).to.include(`>${kind}</TD>`)
      expect(/label=<(<TABLE.*<\/TABLE>)>\];/.exec(renderDot(HEALTHY))![1]).to.include('<B>proxy: 2 replicas answered, no problem seen</B>')
    })

    it('counts the replicas the proxy should have, so one Swarm has not yet replaced is "2 of 3", never "2 answered"', () => {
      const legend = /label=<(<TABLE.*<\/TABLE>)>\];/.exec(renderDot({...HEALTHY, read: 2, desired: 3}))![1]
      expect(legend).to.include('<B>proxy: 2 of 3 replicas answered')
    })

    it('escapes HTML in the legend and caps its list of problems', () => {
      const problems = Array.from({length: 14}, (_, i) => ({subject: `s${i}`, message: 'a <b> & "c"'}))
      const dot = renderDot({...HEALTHY, problems})
      expect(dot).to.include('✗ s0: a &lt;b&gt; &amp; &quot;c&quot;')
      expect(dot).to.not.include('✗ s12:')
      expect(dot).to.include('… and 2 more: swarmnet map')
    })

    it('escapes backslashes and quotes in labels', () => {
      const map: SwarmMap = {
        ...HEALTHY,
        entryPoints: [],
        replicas: [{task: 'proxy.1', node: 'node-1', routes: ['web']}],
        routes: [route('web#0', {paths: ['/a\\b"c'], heldBy: ['proxy.1']})],
        services: [service('web', [])],
      }
      expect(renderDot(map)).to.include('  route_web_0 [label="/a\\\\b\\"c → web:8080", fillcolor="#fff5d1", color="#b0902a"];')
    })

    it('draws no problem style for a healthy map', () => {
      const nodes = renderDot(HEALTHY).split('\n').filter((line) => / \[label="/.test(line))
      expect(nodes).to.have.length(7)
      for (const line of nodes) expect(line).to.not.match(/#e4e4e4|#ffe6c7|#f9c9c9|#ece0f8|#c0392b|penwidth/)
    })
  })
})
