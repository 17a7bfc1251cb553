import type {SshSession} from '../ssh/ssh-client.js'
import type {Engine} from './engine.js'
import {type Endpoint, formatEndpoint} from './endpoint.js'

/** What every connection needs besides the endpoint. */
export interface ConnectSettings {
  timeoutMs: number
  sshConfigPath?: string
  acceptNewHostKey: boolean
  env?: NodeJS.ProcessEnv
}

/**
 * Builds an Engine for an endpoint. dockerode and ssh2 are loaded here, on first use, so commands
 * that never talk to Docker start without them. Nothing is contacted until the first call, except
 * SSH, whose session (one per endpoint) is set up now.
 */
export async function openEngine(endpoint: Endpoint, settings: ConnectSettings): Promise<Engine> {
  const {createDockerodeEngine} = await import('./dockerode-engine.js')
  const target = formatEndpoint(endpoint)
  switch (endpoint.kind) {
    case 'unix': {
      return createDockerodeEngine(target, {socketPath: endpoint.socketPath}, settings.timeoutMs)
    }

    case 'tcp': {
      const tls = endpoint.tls
      const http = tls ? await import('node:https') : await import('node:http')
      const agent = new http.Agent({
        keepAlive: true,
        ...(tls ? {ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify} : {}),
      })
      const transport = {protocol: tls ? 'https' : 'http', host: endpoint.host, port: endpoint.port, agent} as const
      return createDockerodeEngine(target, transport, settings.timeoutMs, async () => agent.destroy())
    }

    case 'ssh': {
      const {openSshSession} = await import('../ssh/ssh-client.js')
      const session = await openSshSession(endpoint, {
        configPath: settings.sshConfigPath,
        acceptNewHostKey: settings.acceptNewHostKey,
        timeoutMs: settings.timeoutMs,
        env: settings.env,
      })
      return engineOverSsh(session, settings.timeoutMs)
    }
  }
}

const sessions = new WeakMap<Engine, SshSession>()

/** The node's engine through an SSH session already open (`docker system dial-stdio` channels on it); closing it closes the session. */
export async function engineOverSsh(session: SshSession, timeoutMs: number): Promise<Engine> {
  const {createDockerodeEngine} = await import('./dockerode-engine.js')
  const engine = createDockerodeEngine(session.target, {protocol: 'http', host: 'docker', port: 80, agent: session.dockerAgent()}, timeoutMs, () => session.close())
  sessions.set(engine, session)
  return engine
}

/** The SSH session an engine runs over, when it does: other traffic to that node can share the connection. */
export function sshSessionOf(engine: Engine): SshSession | undefined {
  return sessions.get(engine)
}
