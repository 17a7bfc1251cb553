import type {ServiceSummary, SwarmNode, TaskSummary} from './engine.js'

/** "proxy.1" for a replicated task, "proxy.node-2" for a global one: the names `docker service ps` shows. */
export function taskName(service: Pick<ServiceSummary, 'name' | 'mode'>, task: Pick<TaskSummary, 'id' | 'nodeId' | 'slot'>, nodes: Map<string, Pick<SwarmNode, 'hostname'>>): string {
  if (service.mode === 'global') return `${service.name}.${nodes.get(task.nodeId)?.hostname ?? task.nodeId.slice(0, 12)}`
  return `${service.name}.${task.slot ?? task.id.slice(0, 12)}`
}
