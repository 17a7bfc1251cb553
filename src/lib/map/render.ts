import type {MapRoute, MapService, SwarmMap} from './map.js'
import {colour} from '../ui/output.js'

const describeRoute = (r: MapRoute) => `${[...r.paths, ...r.domains.map((d) => `host ${d}`)].join(' ') || '(any)'}${r.srcPort ? ` :${r.srcPort} ${r.reqMode}` : ''} → ${r.service}:${r.port}`
const describeService = (s: MapService) => (s.exists ? `${s.name} (${s.mode === 'global' ? 'global' : `${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}`}, ${s.endpointMode})` : s.name)
const describeEntry = (e: SwarmMap['entryPoints'][number]) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.ports.join(',')}`

/** Replicas that hold the same routes, so the picture shows them once. */
function replicaGroups(map: SwarmMap): SwarmMap['replicas'][] {
  const groups = new Map<string, SwarmMap['replicas']>()
  for (const replica of map.replicas) {
    const key = replica.error ? `error:${replica.task}` : replica.routes.join('\n')
    groups.set(key, [...(groups.get(key) ?? []), replica])
  }

  return [...groups.values()]
}

/** A tree for the terminal: entry points → replicas; replicas → routes → services → tasks; problems marked. */
export function renderTree(map: SwarmMap): string {
  const bad = (subject: string) => map.problems.filter((p) => p.subject === subject)
  const mark = (text: string, subject: string) => (bad(subject).length > 0 ? colour.red(`✗ ${text} — ${bad(subject).map((p) => p.message).join('; ')}`) : text)
  const lines: string[] = []
  const branch = (items: string[], indent: string, render: (item: string, prefix: string) => void) =>
    items.forEach((item, i) => render(item, `${indent}${i === items.length - 1 ? '└─ ' : '├─ '}`))

  lines.push(colour.bold('Entry points'))
  const entries = map.entryPoints.map((e) => `${describeEntry(e)} → ${e.mode === 'host' ? e.replica ?? '(no replica)' : 'any replica (routing mesh)'}  (${e.mode}, ${e.node})`)
  if (entries.length === 0) lines.push('└─ (the proxy publishes no port)')
  branch(entries, '', (entry, prefix) => lines.push(`${prefix}${entry}`))

  for (const group of replicaGroups(map)) {
    const names = group.map((r) => r.task).join(', ')
    lines.push('', colour.bold(group[0].error ? mark(names, group[0].task) : `${names}${group.length > 1 ? '  (same routes)' : ''}`))
    if (group[0].error) continue
    const routes = map.routes.filter((r) => r.heldBy.includes(group[0].task))
    if (routes.length === 0) lines.push('└─ (no routes)')
    routes.forEach((route, i) => {
      const last = i === routes.length - 1
      lines.push(`${last ? '└─ ' : '├─ '}${mark(describeRoute(route), route.key)}`)
      const service = map.services.find((s) => s.name === route.service)!
      const indent = last ? '   ' : '│  '
      lines.push(`${indent}└─ ${mark(describeService(service), service.name)}`)
      branch(service.tasks.map((t) => `${t.task}  ${t.node}  ${t.ip ?? ''}${t.state === 'running' ? '' : `  (${t.state})`}`.trimEnd()), `${indent}   `, (task, prefix) => lines.push(`${prefix}${task}`))
    })
  }

  const lacking = map.routes.filter((r) => r.missingOn.length > 0)
  for (const route of lacking) lines.push('', colour.red(`✗ ${describeRoute(route)} is missing on ${route.missingOn.join(', ')}`))
  const general = map.problems.filter((p) => !map.routes.some((r) => r.key === p.subject) && !map.services.some((s) => s.name === p.subject) && !map.replicas.some((r) => r.task === p.subject))
  for (const problem of general) lines.push('', colour.red(`✗ ${problem.subject}: ${problem.message}`))
  return lines.join('\n')
}

/** What the picture shows at a glance, each in its own style and named in the legend. */
export type MapState = 'unreachable' | 'missing-route' | 'no-task' | 'ingress' | 'problem'
type Kind = 'entry' | 'replica' | 'route' | 'service' | 'task'

interface Graph {
  /** `label` is the short one the Mermaid chart shows; `dotLabel` adds the node name and the state. */
  nodes: {id: string; kind: Kind; label: string; dotLabel: string; problem: boolean; state?: MapState; tooltip?: string}[]
  edges: {from: string; to: string; lacks?: boolean}[]
}

/** The map as nodes and edges, for the diagram formats. */
function graphOf(map: SwarmMap): Graph {
  const messages = (subject: string) => map.problems.filter((p) => p.subject === subject).map((p) => p.message)
  const problem = (subject: string) => messages(subject).length > 0
  const tooltip = (...subjects: string[]) => {
    const text = subjects.flatMap((s) => messages(s).map((m) => `${s}: ${m}`)).join('\n')
    return text ? {tooltip: text} : {}
  }
  // Readable ids (s_go_demo), kept apart when two names differ only in punctuation (go-demo, go_demo).
  const ids = new Map<string, string>()
  const taken = new Set<string>()
  const id = (kind: string, text: string) => {
    const key = `${kind}\n${text}`
    if (!ids.has(key)) {
      const base = `${kind}_${text.replaceAll(/[^a-zA-Z0-9]/g, '_')}`
      let candidate = base
      for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`
      taken.add(candidate)
      ids.set(key, candidate)
    }

    return ids.get(key)!
  }
  const graph: Graph = {nodes: [], edges: []}
  for (const entry of map.entryPoints) {
    const ingress = entry.mode === 'ingress'
    const label = `${describeEntry(entry)}\n${entry.mode}`
    // Through the routing mesh the proxy sees the mesh's address, never the client's.
    const dotLabel = `${entry.node} · ${describeEntry(entry)}\n${ingress ? 'ingress: hides client addresses' : 'host mode'}`
    graph.nodes.push({id: id('e', `${entry.address}_${entry.mode}`), kind: 'entry', label, dotLabel, problem: ingress && problem('ingress'), ...(ingress ? {state: 'ingress' as const, ...tooltip('ingress')} : {})})
    for (const replica of map.replicas.filter((r) => ingress || r.task === entry.replica)) graph.edges.push({from: id('e', `${entry.address}_${entry.mode}`), to: id('r', replica.task)})
  }

  for (const replica of map.replicas) {
    const lacking = map.routes.filter((r) => r.missingOn.includes(replica.task))
    const state = replica.error ? 'unreachable' : lacking.length > 0 ? 'missing-route' : problem(replica.task) ? 'problem' : undefined
    const note = replica.error ? '\nunreachable' : lacking.length > 0 ? `\nlacks ${lacking.length} route${lacking.length === 1 ? '' : 's'}` : ''
    graph.nodes.push({id: id('r', replica.task), kind: 'replica', label: `${replica.task}\n${replica.node}`, dotLabel: `${replica.task}\n${replica.node}${note}`, problem: problem(replica.task), ...(state ? {state} : {}), ...tooltip(replica.task, ...lacking.map((r) => r.key))})
  }

  // A replica Swarm wants running that is not (restarting after a crash): no routes can be asked of it.
  const pending = map.problems.filter((p) => p.subject.startsWith(`${map.proxy.name}.`) && p.message.startsWith('not running (') && !map.replicas.some((r) => r.task === p.subject))
  for (const p of pending) graph.nodes.push({id: id('r', p.subject), kind: 'replica', label: p.subject, dotLabel: `${p.subject}\n${clip(p.message, 40)}`, problem: true, state: 'unreachable', ...tooltip(p.subject)})

  for (const route of map.routes) {
    const state = route.missingOn.length > 0 ? 'missing-route' : problem(route.key) ? 'problem' : undefined
    graph.nodes.push({id: id('route', route.key), kind: 'route', label: describeRoute(route), dotLabel: describeRoute(route), problem: problem(route.key), ...(state ? {state} : {}), ...tooltip(route.key)})
    for (const task of route.heldBy) graph.edges.push({from: id('r', task), to: id('route', route.key)})
    for (const task of route.missingOn) graph.edges.push({from: id('r', task), to: id('route', route.key), lacks: true})
    graph.edges.push({from: id('route', route.key), to: id('s', route.service)})
  }

  for (const service of map.services) {
    const idle = !service.tasks.some((t) => t.state === 'running')
    const state = idle ? 'no-task' : problem(service.name) ? 'problem' : undefined
    graph.nodes.push({id: id('s', service.name), kind: 'service', label: describeService(service), dotLabel: `${describeService(service)}${idle ? '\nno running task' : ''}`, problem: problem(service.name), ...(state ? {state} : {}), ...tooltip(service.name)})
    for (const task of service.tasks) {
      const label = `${task.task}\n${task.node}${task.ip ? ` ${task.ip}` : ''}`
      const running = task.state === 'running'
      graph.nodes.push({id: id('t', task.task), kind: 'task', label, dotLabel: `${label}${running ? '' : `\n${task.state}`}`, problem: !running, ...(running ? {} : {state: 'problem' as const})})
      graph.edges.push({from: id('s', service.name), to: id('t', task.task)})
    }
  }

  return graph
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** A Mermaid flowchart: problems in red, a replica lacking a route as a dashed "lacks" edge. */
export function renderMermaid(map: SwarmMap): string {
  const graph = graphOf(map)
  const label = (text: string) => `"${text.replaceAll('"', '#quot;').replaceAll('\n', '<br/>')}"`
  const lines = ['flowchart LR']
  for (const node of graph.nodes) lines.push(`  ${node.id}[${label(node.label)}]`)
  for (const edge of graph.edges) lines.push(edge.lacks ? `  ${edge.from} -. lacks .-> ${edge.to}` : `  ${edge.from} --> ${edge.to}`)
  lines.push('  classDef problem fill:#fde2e2,stroke:#c00,color:#900')
  const problems = graph.nodes.filter((n) => n.problem).map((n) => n.id)
  if (problems.length > 0) lines.push(`  class ${problems.join(',')} problem`)
  return lines.join('\n')
}

/** Colours and line styles: one per kind of thing, one per problem (overriding the kind's). */
const KIND_COLOURS: Record<Kind, [fill: string, border: string]> = {entry: ['#eef1f5', '#6b7785'], replica: ['#dcebfb', '#3b6ea5'], route: ['#fff5d1', '#b0902a'], service: ['#dff3e4', '#3d8b4f'], task: ['#ffffff', '#3d8b4f']}
const KIND_NAME: Record<Kind, string> = {entry: 'entry point (node)', replica: 'proxy replica', route: 'route', service: 'service', task: 'task'}
type Attributes = Record<string, string | number>
const KIND_STYLE: Record<Kind, Attributes> = {
  entry: {style: 'filled', fillcolor: KIND_COLOURS.entry[0], color: KIND_COLOURS.entry[1]},
  replica: {fillcolor: KIND_COLOURS.replica[0], color: KIND_COLOURS.replica[1]},
  route: {fillcolor: KIND_COLOURS.route[0], color: KIND_COLOURS.route[1]},
  service: {fillcolor: KIND_COLOURS.service[0], color: KIND_COLOURS.service[1]},
  task: {fillcolor: KIND_COLOURS.task[0], color: KIND_COLOURS.task[1], fontsize: 10},
}
const STATE_STYLE: Record<MapState, {attributes: Attributes; cellStyle?: string; legend: string}> = {
  unreachable: {attributes: {style: 'rounded,filled,dashed', fillcolor: '#e4e4e4', color: '#444444', fontcolor: '#444444', penwidth: 2}, cellStyle: 'dashed', legend: 'replica unreachable: its API did not answer, or it is not running'},
  'missing-route': {attributes: {fillcolor: '#ffe6c7', color: '#e07000', penwidth: 2.5}, legend: 'missing route: a replica lacks it (dashed orange "lacks" arrow; requests there get 503)'},
  'no-task': {attributes: {style: 'rounded,filled,bold', fillcolor: '#f9c9c9', color: '#c0392b', fontcolor: '#7a1010', penwidth: 2.5}, legend: 'service with no running task: the proxy answers 503'},
  ingress: {attributes: {fillcolor: '#ece0f8', color: '#7b3fb3', peripheries: 2}, legend: "ingress-mode port: the proxy sees the routing mesh's address, not the client's"},
  problem: {attributes: {fillcolor: '#ffffff', color: '#c0392b', fontcolor: '#7a1010', penwidth: 2}, legend: 'anything else wrong, or a task not running (below, and on hovering it)'},
}
const STATES = Object.keys(STATE_STYLE) as MapState[]
const LACKS_EDGE: Attributes = {style: 'dashed', color: '#e07000', fontcolor: '#e07000', penwidth: 1.5, label: 'lacks'}
const quote = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
const attributeList = (attributes: Attributes) => `[${Object.entries(attributes).map(([name, value]) => `${name}=${typeof value === 'number' ? value : quote(value)}`).join(', ')}]`

/** The legend under the picture, as a Graphviz HTML-like label: each problem style with its count, then the problems. */
function legend(graph: Graph, map: SwarmMap): string {
  const html = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
  const rows = STATES.map((state) => {
    const style = STATE_STYLE[state]
    const count = graph.nodes.filter((n) => n.state === state).length
    const cell = `<TD WIDTH="34" HEIGHT="16" BORDER="2" BGCOLOR="${style.attributes.fillcolor}" COLOR="${style.attributes.color}"${style.cellStyle ? ` STYLE="${style.cellStyle}"` : ''}></TD>`
    // Kinds of problem not present are greyed, so those present stand out.
    return `<TR>${cell}<TD ALIGN="LEFT">${count > 0 ? `<B>${count}</B> × ${html(style.legend)}` : `<FONT COLOR="#8a8a8a">0 × ${html(style.legend)}</FONT>`}</TD></TR>`
  })
  const problems = map.problems.slice(0, 12).map((p) => `<TR><TD></TD><TD ALIGN="LEFT"><FONT COLOR="#7a1010">✗ ${html(clip(`${p.subject}: ${p.message}`, 120))}</FONT></TD></TR>`)
  if (map.problems.length > 12) problems.push(`<TR><TD></TD><TD ALIGN="LEFT">… and ${map.problems.length - 12} more: swarmnet map</TD></TR>`)
  // "N of M": M is the replicas the proxy should have, so one Swarm has not yet replaced still counts.
  const replicas = Math.max(map.desired ?? 0, graph.nodes.filter((n) => n.kind === 'replica').length)
  const answered = map.read ?? map.replicas.filter((r) => !r.error).length
  const heading = `${answered === replicas ? `${replicas} replica${replicas === 1 ? '' : 's'} answered` : `${answered} of ${replicas} replicas answered`}, ${map.problems.length === 0 ? 'no problem seen' : `${map.problems.length} problem${map.problems.length === 1 ? '' : 's'}`}`
  const kinds = (Object.keys(KIND_NAME) as Kind[]).map((kind) => `<TD BORDER="1" BGCOLOR="${KIND_COLOURS[kind][0]}" COLOR="${KIND_COLOURS[kind][1]}">${KIND_NAME[kind]}</TD>`).join('<TD>→</TD>')
  const path = `<TR><TD COLSPAN="2" ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3"><TR>${kinds}</TR></TABLE></TD></TR>`
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">${path}<TR><TD COLSPAN="2" ALIGN="LEFT"><B>${html(map.proxy.name)}: ${heading}</B></TD></TR>${rows.join('')}${problems.join('')}</TABLE>>`
}

/** A Graphviz digraph: the Mermaid chart's picture, each problem in its own style, with a legend. */
export function renderDot(map: SwarmMap): string {
  const graph = graphOf(map)
  const lines = [
    'digraph swarmnet {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.2, ranksep=0.7, pad=0.3, bgcolor="white", labelloc=b, labeljust=l, label=${legend(graph, map)}];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.15,0.06", penwidth=1.2];',
    '  edge [color="#7d8896", arrowsize=0.7, fontname="Helvetica", fontsize=10];',
  ]
  for (const node of graph.nodes) {
    // The problem's style replaces the kind's, attribute by attribute.
    const attributes = {label: node.dotLabel, ...KIND_STYLE[node.kind], ...(node.state ? STATE_STYLE[node.state].attributes : {}), ...(node.tooltip ? {tooltip: node.tooltip} : {})}
    lines.push(`  ${node.id} ${attributeList(attributes)};`)
  }
  // Replicas in one column, those not running too (they have no edge to place them by).
  const replicas = graph.nodes.filter((n) => n.kind === 'replica').map((n) => n.id)
  if (replicas.length > 1) lines.push(`  {rank=same; ${replicas.join('; ')};}`)
  for (const edge of graph.edges) lines.push(`  ${edge.from} -> ${edge.to}${edge.lacks ? ` ${attributeList(LACKS_EDGE)}` : ''};`)
  lines.push('}')
  return lines.join('\n')
}
