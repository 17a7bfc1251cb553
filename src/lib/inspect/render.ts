import type {HaproxyConfig, MatchList, Route} from '../haproxy/model.js'
import {colour, renderTable} from '../ui/output.js'
import type {CfgResult} from './cfg.js'
import type {ServiceInspection} from './service.js'

/** "path_beg /demo /api", "hdr_beg(host) -i example.com", ":8080", "user-agent ~ curl". */
export function describeMatch(route: Route): string {
  const lists = (items: MatchList[]) => items.map((m) => [m.match, ...m.flags, ...m.values].join(' '))
  const parts = [
    ...lists(route.match.paths),
    ...lists(route.match.excludedPaths).map((text) => `not ${text}`),
    ...lists(route.match.domains),
    ...route.match.srcPorts.map((port) => `port ${port}`),
    ...lists(route.match.headers),
    ...lists(route.match.userAgents),
    ...lists(route.match.sni).map((text) => `sni ${text}`),
    ...route.match.other,
  ]
  return parts.join(' and ') || (route.rule === 'default_backend' ? '(default)' : route.condition?.text ?? '')
}

function routeRows(config: HaproxyConfig): string[][] {
  return config.routes
    .filter((r) => !r.placeholder)
    .map((r) => [
      r.frontend,
      describeMatch(r),
      r.backendFound ? r.backend : colour.red(`${r.backend} (missing)`),
      r.servers.map((s) => (s.template ? `${s.address} x${s.count}` : s.address)).join(', '),
      r.naming.serviceName ? `${r.naming.serviceName}${r.naming.port ? `:${r.naming.port}` : ''}` : '',
    ])
}

/** Per group of identical replicas: the frontends and which path goes where; then the drift. */
export function renderCfg(result: CfgResult): string {
  const out: string[] = []
  const byTask = new Map(result.replicas.map((r) => [r.task, r]))
  const readable = result.replicas.filter((r) => r.config)
  const summary = result.identical ? (readable.length > 1 ? (result.read === result.desired ? 'identical' : 'those read are identical') : '') : colour.red(`${result.groups.length} different files`)
  const count = `${result.read} of ${result.desired} replica(s) read`
  out.push(`${colour.bold(result.proxy)}: ${result.read === result.desired ? count : colour.red(count)}${summary ? `, ${summary}` : ''}`)
  for (const group of result.groups) {
    const first = byTask.get(group.replicas[0])!
    const config = first.config!
    out.push('', colour.bold(group.replicas.map((task) => `${task} (${byTask.get(task)!.node})`).join(', ')) + `  ${group.bytes} bytes`)
    const frontends = config.frontends.map((f) => [f.name, f.binds.map((b) => b.address + (b.ssl ? ' ssl' : '')).join(', '), f.mode])
    if (frontends.length > 0) out.push(renderTable(['FRONTEND', 'BINDS', 'MODE'], frontends))
    const routes = routeRows(config)
    out.push(routes.length > 0 ? renderTable(['FRONTEND', 'CONDITION', 'BACKEND', 'SERVERS', 'SERVICE'], routes) : '(no routes: only the proxy\'s placeholder)')
    for (const problem of config.problems) out.push(colour.yellow(`line ${problem.line ?? '?'}: ${problem.message}`))
  }

  for (const failed of result.replicas.filter((r) => r.error)) out.push('', colour.red(`${failed.task} (${failed.node}${failed.state === 'running' ? '' : `, ${failed.state}`}): ${failed.error}`))
  const comparison = result.comparison
  if (comparison?.identical && !result.identical) out.push('', colour.yellow('The files differ only in masked secrets: --show-secrets shows them.'))
  if (comparison && !comparison.identical) {
    out.push('', colour.bold('Drift between replicas:'))
    for (const route of comparison.routes.filter((r) => r.missingFrom.length > 0 && !r.placeholder)) {
      out.push(`  ${route.backend} (${route.condition ?? 'default'}): missing on ${route.missingFrom.join(', ')}`)
    }

    for (const drift of comparison.differingRoutes) out.push(`  backend ${drift.backend}: ${drift.variants.length} versions (${drift.variants.map((v) => v.labels.join(', ')).join(' | ')})`)
    for (const diff of comparison.diffs) out.push('', diff.patch.trimEnd())
  }

  if (result.masked > 0) out.push('', colour.dim(`${result.masked} password(s) masked; --show-secrets prints them.`))
  return out.join('\n')
}

/** What `inspect service` prints: the service, its networks and VIPs, ports, tasks, and its route. */
export function renderServiceInspection(s: ServiceInspection): string {
  const networks = s.networks.map((n) => n.name)
  const route = s.route.destinations.map((d) => `${[...d.paths, ...d.domains].join(' ')} → :${d.port}${d.index ? ` (#${d.index})` : ''}`).join('; ')
  return [
    `${colour.bold(s.name)}  ${s.id.slice(0, 12)}  ${s.image}  ${s.mode}${s.replicas === undefined ? '' : ` (${s.replicas})`}  endpoint ${s.endpointMode}`,
    renderTable(['NETWORK', 'VIP', 'PROXY NETWORK'], s.networks.map((n) => [n.name, n.vip ?? (s.endpointMode === 'dnsrr' ? 'dnsrr' : ''), n.onProxyNetwork ? 'yes' : ''])),
    ...(s.ports.length > 0 ? [renderTable(['PUBLISHED', 'TARGET', 'PROTOCOL', 'MODE'], s.ports.map((p) => [p.publishedPort ?? '', p.targetPort, p.protocol, p.publishMode]))] : []),
    s.tasks.length > 0 ? renderTable(['TASK', 'NODE', 'STATE', ...networks.map((n) => n.toUpperCase())], s.tasks.map((t) => [t.task, t.node, t.error ? `${t.state}: ${t.error}` : t.state, ...networks.map((n) => t.ips[n] ?? '')])) : '(no task)',
    `Route: ${route || 'none labelled'}${s.route.proxy ? `  on ${s.route.proxy}: ${Object.entries(s.route.replicas).map(([task, state]) => `${task} ${state}`).join(', ') || 'no replica'}` : ''}`,
    ...(s.route.note ? [colour.dim(s.route.note)] : []),
    ...s.problems.map((problem) => colour.red(`✗ ${problem}`)),
  ].join('\n')
}
