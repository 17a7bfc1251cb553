import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {SwarmnetError, oneLine} from '../core/errors.js'
import {type NodeLayout, nodeLayout, paths} from './layout.js'

/** What `lab up` made: written before anything is created, so a killed run can always be cleaned up. */
export interface LabState {
  version: 1
  subnet: string
  nodes: number
  managers: number
  /** The swarm's data-path (VXLAN) port when `lab up --data-path-port` chose one; Docker's 4789 when absent. */
  dataPathPort?: number
  createdAt: string
  /** Mount points of NODE_PRIVATE_PATHS that did not exist and the lab made; removed again when empty. */
  createdDirs: string[]
}

export function readState(): LabState | undefined {
  if (!existsSync(paths.state)) return undefined
  let state: Partial<LabState>
  try {
    state = JSON.parse(readFileSync(paths.state, 'utf8'))
  } catch (error) {
    throw new SwarmnetError(`the lab's record ${paths.state} is unreadable (${oneLine((error as Error).message)}); remove the lab's remains by hand, then delete the file`)
  }

  const valid = state.version === 1 && Number.isInteger(state.nodes) && Number.isInteger(state.managers) && typeof state.subnet === 'string' && Array.isArray(state.createdDirs)
  if (!valid) throw new SwarmnetError(`the lab's record ${paths.state} is not one this swarmnet wrote; remove the lab's remains by hand, then delete the file`)
  return state as LabState
}

/** Written to a temporary file and renamed, so a killed run never leaves half a record. */
export function writeState(state: LabState): void {
  mkdirSync(path.dirname(paths.state), {recursive: true, mode: 0o755})
  const temporary = `${paths.state}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(temporary, paths.state)
}

export function layoutsOf(state: Pick<LabState, 'nodes' | 'subnet'>): NodeLayout[] {
  return Array.from({length: state.nodes}, (_, i) => nodeLayout(i + 1, state.subnet))
}

export function roleOf(state: Pick<LabState, 'managers'>, node: NodeLayout): 'manager' | 'worker' {
  return node.index <= state.managers ? 'manager' : 'worker'
}
