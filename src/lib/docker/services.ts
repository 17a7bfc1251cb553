import type {Engine, ServiceSummary} from './engine.js'
import {UsageError} from '../core/errors.js'

/** A service by name or id (or unique id prefix); an unknown one lists the swarm's services. */
export async function findService(engine: Engine, ref: string, services?: ServiceSummary[]): Promise<ServiceSummary> {
  const all = services ?? (await engine.listServices())
  const found = all.find((s) => s.name === ref || s.id === ref) ?? onlyOne(all.filter((s) => ref.length >= 3 && s.id.startsWith(ref)))
  if (!found) throw new UsageError(`unknown service "${ref}"; the swarm's services are ${all.map((s) => s.name).join(', ') || 'none'}`)
  return found
}

function onlyOne<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined
}
