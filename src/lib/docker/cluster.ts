import type {Environment} from '../core/environment.js'
import type {ConnectSettings} from './connect.js'
import type {Engine} from './engine.js'
import type {NodeEngines} from './node-engines.js'

/** What a command that works across the swarm needs: the manager, each node's engine, the network limit. */
export interface Cluster {
  engine: Engine
  nodeEngines: () => Promise<NodeEngines>
  /** --timeout: each connection and ordinary API call. */
  timeoutMs: number
  /** How to open further connections (SSH config, host key policy). */
  settings: ConnectSettings & {env: NodeJS.ProcessEnv}
  /** This machine: IPVS, the lab's addresses. */
  environment: Environment
}
