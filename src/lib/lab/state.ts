import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {SwarmnetError} from '../errors.js'
import {type NodeLayout, nodeLayout, paths} from './layout.js'

/** What `lab up` made: written before anything is created, so a killed run can always be cleaned up. */
export interface LabState {
  version: 1
  subnet: string
  nodes: number
  managers: number
  createdAt: string
}

export function readState(): LabState | undefined {
  if (!existsSync(paths.state)) return undefined
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as LabState
  } catch (error) {
    throw new SwarmnetError(`cannot read the lab's record ${paths.state}: ${(error as Error).message}`)
  }
}

export function writeState(state: LabState): void {
  mkdirSync(path.dirname(paths.state), {recursive: true, mode: 0o755})
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`)
}

export function layoutsOf(state: Pick<LabState, 'nodes' | 'subnet'>): NodeLayout[] {
  return Array.from({length: state.nodes}, (_, i) => nodeLayout(i + 1, state.subnet))
}

export function roleOf(state: Pick<LabState, 'managers'>, node: NodeLayout): 'manager' | 'worker' {
  return node.index <= state.managers ? 'manager' : 'worker'
}
