import type {MapRoute, MapService, SwarmMap} from './map.js'
import {colour} from './output.js'

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

interface Graph {
  nodes: {id: string; label: string; problem: boolean}[]
  edges: {from: string; to: string; lacks?: boolean}[]
}

/** The map as nodes and edges, for the diagram formats. */
function graphOf(map: SwarmMap): Graph {
  const problem = (subject: string) => map.problems.some((p) => p.subject === subject)
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
    graph.nodes.push({id: id('e', `${entry.address}_${entry.mode}`), label: `${describeEntry(entry)}\n${entry.mode}`, problem: entry.mode === 'ingress' && problem('ingress')})
    for (const replica of map.replicas.filter((r) => entry.mode === 'ingress' || r.task === entry.replica)) graph.edges.push({from: id('e', `${entry.address}_${entry.mode}`), to: id('r', replica.task)})
  }

  for (const replica of map.replicas) graph.nodes.push({id: id('r', replica.task), label: `${replica.task}\n${replica.node}`, problem: problem(replica.task)})
  for (const route of map.routes) {
    graph.nodes.push({id: id('route', route.key), label: describeRoute(route), problem: problem(route.key)})
    for (const task of route.heldBy) graph.edges.push({from: id('r', task), to: id('route', route.key)})
    for (const task of route.missingOn) graph.edges.push({from: id('r', task), to: id('route', route.key), lacks: true})
    graph.edges.push({from: id('route', route.key), to: id('s', route.service)})
  }

  for (const service of map.services) {
    graph.nodes.push({id: id('s', service.name), label: describeService(service), problem: problem(service.name)})
    for (const task of service.tasks) {
      graph.nodes.push({id: id('t', task.task), label: `${task.task}\n${task.node}${task.ip ? ` ${task.ip}` : ''}`, problem: task.state !== 'running'})
      graph.edges.push({from: id('s', service.name), to: id('t', task.task)})
    }
  }

  return graph
}

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

/** A Graphviz digraph, the same picture as the Mermaid one. */
export function renderDot(map: SwarmMap): string {
  const graph = graphOf(map)
  const quote = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
  const lines = ['digraph swarmnet {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];']
  for (const node of graph.nodes) lines.push(`  ${node.id} [label=${quote(node.label)}${node.problem ? ', color=red, fontcolor=red' : ''}];`)
  for (const edge of graph.edges) lines.push(`  ${edge.from} -> ${edge.to}${edge.lacks ? ' [style=dashed, color=red, label="lacks"]' : ''};`)
  lines.push('}')
  return lines.join('\n')
}
