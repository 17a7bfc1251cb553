import type {Engine, SwarmNode} from '../docker/engine.js'
import {chooseOne} from '../ui/interactive.js'
import {findNode} from './node.js'

/** The NODE argument: looked up when given, asked for on a terminal when not, else a usage error naming it. */
export async function pickNode(engine: Engine, ref: string | undefined, options: {json: boolean}): Promise<SwarmNode> {
  const nodes = await engine.listNodes()
  if (ref !== undefined) return findNode(nodes, ref)
  return chooseOne({
    message: 'Which node?',
    answeredBy: 'argument NODE',
    json: options.json,
    choices: nodes.map((n) => ({name: `${n.hostname}  ${n.address}  ${n.role}`, value: n})),
  })
}
