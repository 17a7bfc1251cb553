import {colour, renderTable} from '../ui/output.js'
import type {ProxyApiWarning} from './exposure.js'
import type {ProxyDownResult, ProxyStatusResult, ProxyUpResult} from './lifecycle.js'

const VERB: Record<ProxyUpResult['action'], string> = {created: 'created', updated: 'updated', running: 'already running as asked', differs: 'running, but not as asked'}

export function renderProxyUp(result: ProxyUpResult): string {
  const lines: string[] = []
  if (result.network.created) lines.push(`Created overlay network ${result.network.name} (attachable).`)
  if (result.defaultsReason && result.action === 'created') lines.push(colour.yellow(`Note: ${result.defaultsReason}.`))
  lines.push(`${colour.bold(`Proxy ${result.service}`)} ${VERB[result.action]}: ${result.running}/${result.desired} tasks running (${result.mode}, ${result.image}).`)
  if (result.action === 'differs') {
    lines.push('Differences from what was asked (not applied; run again with --update to apply):')
    lines.push(renderTable(['FIELD', 'NOW', 'ASKED'], result.changes.map((c) => [c.field, c.current, c.wanted])))
  } else if (result.action === 'updated') {
    lines.push(`Changed: ${result.changes.map((c) => c.field).join(', ')}.`)
  }

  const points = result.entryPoints.filter((p) => p.targetPort !== result.api.port)
  if (points.length > 0) {
    lines.push('It answers on:')
    const byNode = new Map<string, typeof points>()
    for (const point of points) byNode.set(point.node, [...(byNode.get(point.node) ?? []), point])
    lines.push(renderTable(['NODE', 'ADDRESS', 'PORTS', 'MODE'], [...byNode].map(([node, own]) => [node, own[0].address, own.map((p) => (p.publishedPort === p.targetPort ? String(p.publishedPort) : `${p.publishedPort}->${p.targetPort}`)).join(', '), [...new Set(own.map((p) => p.mode))].join(', ')])))
  } else {
    lines.push('It publishes no port.')
  }

  lines.push(apiLine(result), ...result.warnings.map((w) => renderApiWarning(w)))
  if (result.routes?.missing) {
    lines.push(result.routes.sync ? `Synced ${result.routes.missing} labelled route(s) onto ${result.routes.replicasMissing.join(', ')}.` : colour.yellow(`${result.routes.missing} labelled route(s) are missing on ${result.routes.replicasMissing.join(', ')}: run \`swarmnet route sync\`.`))
  }

  return lines.join('\n')
}

function apiLine(result: ProxyUpResult): string {
  const port = result.api.port
  if (result.api.published === 'host') return `API: port ${port}, published in host mode (--publish-api): swarmnet reaches each replica at its node's address.`
  if (result.api.published === 'ingress') return `API: port ${port}, published through the routing mesh (--publish-api), where a request lands on a random replica: swarmnet never uses it, and reaches each replica over SSH to its node.`
  return `API: port ${port}, not published: swarmnet reaches each replica over SSH to its node (else through its Docker engine).`
}

/** The open API, said where it cannot be missed. */
export function renderApiWarning(warning: ProxyApiWarning): string {
  return colour.yellow(`Warning: ${warning.message}.`)
}

export function renderProxyStatus(status: ProxyStatusResult, verbose: boolean): string {
  const {proxy} = status
  const head = `${colour.bold(proxy.name)}  ${proxy.image}  ${proxy.mode}${proxy.replicas === undefined ? '' : ` (${proxy.replicas})`}  networks ${proxy.networks.join(', ') || '-'}  ports ${proxy.ports.map((p) => `${p.publishedPort ?? '-'}:${p.targetPort} ${p.publishMode}`).join(', ') || '-'}`
  const table = renderTable(
    ['NODE', 'TASK', 'STATE', 'IMAGE', 'HOST PORTS', 'API', 'ROUTES', ...(verbose ? ['VIA'] : [])],
    status.replicas.map((r) => [
      r.node, r.task, r.state, r.image, r.ports.join(', '),
      r.api === 'ok' ? colour.green('ok') : colour.red(r.message ? `${r.api}: ${r.message}` : r.api),
      r.routes === undefined ? '' : String(r.routes),
      ...(verbose ? [[r.via, r.target, r.note ? `(${r.note})` : ''].filter(Boolean).join(' ')] : []),
    ]),
  )
  const all = status.read === status.desired
  const count = `${status.read} of ${status.desired} replica(s) answered`
  const agreement = !status.agree
    ? colour.red(`${count}; they disagree: ${status.differences.join('; ')}. \`swarmnet route sync\` puts the labelled routes everywhere.`)
    : all
      ? colour.green(`${count}; they hold the same routes.`)
      : colour.red(`${count}; not: ${status.notRead.map((r) => `${r.task} (${r.state})`).join(', ')}. Those that answered hold the same routes.`)
  const clientAddress = status.clientAddress ? [colour.yellow(`Warning: ${status.clientAddress.message}; ${status.clientAddress.fix}.`)] : []
  return [head, table, agreement, ...clientAddress, ...status.warnings.map((w) => renderApiWarning(w))].join('\n')
}

export function renderProxyDown(result: ProxyDownResult): string {
  if (!result.removed) return 'Nothing removed.'
  return [
    `Removed proxy service ${result.service}.`,
    ...result.networks.map((n) => (n.removed ? `Removed network ${n.name}.` : colour.yellow(`Kept network ${n.name}: ${n.reason}.`))),
  ].join('\n')
}
