import type {Agent} from 'node:http'
import {PassThrough} from 'node:stream'
import {inspect} from 'node:util'

import Docker from 'dockerode'

import {formatSeconds} from '../core/duration.js'
import {SwarmnetError, WORKER_CODE, reasonOf} from '../core/errors.js'
import type {Engine} from './engine.js'
import {type Raw, mergeServiceSpec, networkBody, serviceBody, toContainer, toInfo, toNetwork, toNetworkDetail, toNode, toService, toSwarmSettings, toTask} from './map-raw.js'

/** How dockerode reaches the engine: a unix socket, or HTTP(S) through an agent we own (holding any TLS material). */
export type Transport =
  | {socketPath: string}
  | {protocol: 'http' | 'https'; host: string; port: number; agent: Agent}

// docker-modem reads DOCKER_HOST/DOCKER_CERT_PATH/DOCKER_TLS_VERIFY whenever a client is built, and
// throws on values it dislikes even when explicit options override them: hide them while building.
const MODEM_ENV = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CLIENT_TIMEOUT', 'DOCKER_PATH_PREFIX']

function newDocker(transport: Transport, timeoutMs: number): Docker {
  // docker-modem formats every request's options with util.inspect for its debug log, on or off: the
  // agent, with its sockets and TLS material, would be walked in full (~3 ms a call over TLS).
  if ('agent' in transport) Object.defineProperty(transport.agent, inspect.custom, {value: () => '[Agent]', configurable: true})
  const saved = MODEM_ENV.map((name) => [name, process.env[name]] as const)
  for (const name of MODEM_ENV) delete process.env[name]
  try {
    return new Docker({...transport, timeout: timeoutMs})
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value
  }
}

/** The Engine, implemented with dockerode. `onClose` releases what the transport holds (SSH, sockets). */
export function createDockerodeEngine(target: string, transport: Transport, timeoutMs: number, onClose: () => Promise<void> = async () => {}): Engine {
  const docker = newDocker(transport, timeoutMs)
  let closed = false

  /** Every call is bounded by the timeout and fails with one line naming the engine and the step. */
  async function call<T>(what: string, run: () => Promise<T>, limitMs = timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SwarmnetError(`${target}: ${what}: timed out after ${formatSeconds(limitMs)}`)), limitMs)
    })
    try {
      return await Promise.race([run(), timeout])
    } catch (error) {
      if (error instanceof SwarmnetError) throw error
      throw engineError(target, what, error)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Read, change, write back with the version read; retried when another update slipped in between. */
  async function updateSpec(what: string, id: string, change: (spec: Raw) => Raw): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = (await call(what, () => docker.getService(id).inspect())) as Raw
      try {
        await call(what, () => docker.getService(id).update({_query: {version: current.Version?.Index}, _body: change(structuredClone(current.Spec ?? {}))}))
        return
      } catch (error) {
        if (attempt >= 3 || !/out of sequence/i.test((error as Error).message)) throw error
      }
    }
  }

  return {
    target,
    async ping() {
      await call('cannot connect', () => docker.ping())
    },
    async info() {
      return toInfo((await call('info', () => docker.info())) as Raw)
    },
    async listNodes() {
      const nodes = (await call('list nodes', () => docker.listNodes())) as Raw[]
      return nodes.map(toNode).sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
    },
    async listNetworks() {
      const networks = (await call('list networks', () => docker.listNetworks())) as Raw[]
      return networks.map(toNetwork).sort((a, b) => a.name.localeCompare(b.name))
    },
    async inspectNetwork(idOrName, options = {}) {
      const query = options.verbose ? {verbose: true, scope: 'swarm'} : {}
      return toNetworkDetail((await call(`inspect network ${idOrName}`, () => docker.getNetwork(idOrName).inspect(query))) as Raw)
    },
    async createNetwork(spec) {
      const created = await call(`create network ${spec.name}`, () => docker.createNetwork(networkBody(spec)))
      return created.id
    },
    async listServices(options = {}) {
      const services = (await call('list services', () => docker.listServices(options.status ? {status: true} : {}))) as Raw[]
      return services.map(toService).sort((a, b) => a.name.localeCompare(b.name))
    },
    async inspectService(idOrName) {
      const raw = await call(`inspect service ${idOrName}`, () => docker.getService(idOrName).inspect().catch(notFoundAsUndefined))
      return raw === undefined ? undefined : toService(raw as Raw)
    },
    async createService(spec) {
      const created = (await call(`create service ${spec.name}`, () => docker.createService(serviceBody(spec)))) as Raw
      return String(created.ID ?? created.id)
    },
    async updateService(id, spec) {
      await updateSpec(`update service ${spec.name}`, id, (current) => mergeServiceSpec(current, spec))
    },
    async updateServiceLabels(id, changes) {
      await updateSpec(`update labels of service ${id}`, id, (current) => {
        const labels: Record<string, string> = {...current.Labels}
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) delete labels[key]
          else labels[key] = value
        }

        return {...current, Labels: labels}
      })
    },
    async removeService(id) {
      await call(`remove service ${id}`, () => docker.getService(id).remove())
    },
    async removeNetwork(id) {
      await call(`remove network ${id}`, () => docker.getNetwork(id).remove())
    },
    async listTasks(filter = {}) {
      const filters: Record<string, string[]> = {}
      if (filter.service) filters.service = [filter.service]
      if (filter.desiredState) filters['desired-state'] = [filter.desiredState]
      const tasks = (await call('list tasks', () => docker.listTasks({filters}))) as Raw[]
      return tasks.map(toTask)
    },
    async swarmInit({advertiseAddr, listenAddr, dataPathPort}) {
      return String(await call('swarm init', () => docker.swarmInit({AdvertiseAddr: advertiseAddr, ListenAddr: listenAddr, ...(dataPathPort ? {DataPathPort: dataPathPort} : {})})))
    },
    async swarmJoin({advertiseAddr, listenAddr, remoteAddr, token}) {
      await call('swarm join', () => docker.swarmJoin({AdvertiseAddr: advertiseAddr, ListenAddr: listenAddr, RemoteAddrs: [remoteAddr], JoinToken: token}))
    },
    async swarmJoinTokens() {
      const swarm = (await call('swarm inspect', () => docker.swarmInspect())) as Raw
      return {worker: String(swarm.JoinTokens?.Worker ?? ''), manager: String(swarm.JoinTokens?.Manager ?? '')}
    },
    async inspectSwarm() {
      return toSwarmSettings((await call('swarm inspect', () => docker.swarmInspect())) as Raw)
    },
    async importImage(tarball, repoTag, changes) {
      const [repo, tag = 'latest'] = splitRepoTag(repoTag)
      // Importing ~100 MB can outlast the API timeout; allow a generous, still bounded, time.
      await call(`import image ${repoTag}`, async () => {
        const stream = await docker.importImage(tarball, {repo, tag, changes})
        await new Promise<void>((resolve, reject) => {
          docker.modem.followProgress(stream, (error, output) => {
            const failed = (output as Raw[]).find((line) => line.error || line.errorDetail)
            if (error || failed) reject(error ?? new Error(String(failed?.error ?? failed?.errorDetail?.message)))
            else resolve()
          })
        })
      }, Math.max(timeoutMs, 120_000))
    },
    async listContainers(filter = {}) {
      const filters = {...(filter.labels ? {label: filter.labels} : {}), ...(filter.network ? {network: [filter.network]} : {})}
      const containers = (await call('list containers', () => docker.listContainers({filters}))) as Raw[]
      return containers.map(toContainer)
    },
    async containerAddresses(containerId) {
      const raw = (await call(`inspect container ${containerId.slice(0, 12)}`, () => docker.getContainer(containerId).inspect())) as Raw
      const networks = (raw.NetworkSettings?.Networks ?? {}) as Record<string, Raw>
      const addresses: Record<string, string> = Object.fromEntries(Object.entries(networks).flatMap(([name, n]) => (n.IPAddress ? [[name, String(n.IPAddress)]] : [])))
      // A Swarm task's container sits on docker_gwbridge as a hidden "gateway_" endpoint that only the network lists.
      if (!addresses.docker_gwbridge) {
        const bridge = (await call('inspect network docker_gwbridge', () => docker.getNetwork('docker_gwbridge').inspect()).catch(() => undefined)) as Raw | undefined
        const entry = bridge?.Containers?.[String(raw.Id ?? containerId)]
        if (entry?.IPv4Address) addresses.docker_gwbridge = String(entry.IPv4Address).replace(/\/\d+$/, '')
      }

      return addresses
    },
    async exec(containerId, command, options = {}) {
      const limit = options.timeoutMs ?? timeoutMs
      const what = `exec in container ${containerId.slice(0, 12)}`
      // The stream is destroyed at the limit, so a command that hangs leaves no open connection behind.
      return call(what, () => runExec(docker, containerId, command, {...options, limitMs: limit, what: `${target}: ${what}`}), limit + 1000)
    },
    async runHelper({image, network, command, labels}) {
      return call(`start a helper container from ${image}`, async () => {
        // AutoRemove: a helper left behind by an interrupted command goes away when its sleep ends.
        const container = await docker.createContainer({
          Image: image, Entrypoint: command.slice(0, 1), Cmd: command.slice(1), Labels: labels,
          HostConfig: {AutoRemove: true, NetworkMode: network}, NetworkingConfig: {EndpointsConfig: {[network]: {}}},
        })
        await container.start()
        return container.id
      })
    },
    async removeContainer(containerId) {
      await call(`remove container ${containerId.slice(0, 12)}`, () => docker.getContainer(containerId).remove({force: true}))
    },
    async readContainerFile(containerId, path) {
      return call(`read ${path} in container ${containerId.slice(0, 12)}`, async () => firstFileOf(await docker.getContainer(containerId).getArchive({path})))
    },
    async imageExposedPorts(ref) {
      const image = (await call(`inspect image ${ref}`, () => docker.getImage(ref).inspect().catch(notFoundAsUndefined))) as Raw | undefined
      if (!image) return undefined
      return Object.keys(image.Config?.ExposedPorts ?? {}).map((key) => {
        const [port, protocol = 'tcp'] = key.split('/')
        return {port: Number(port), protocol}
      })
    },
    async listImageTags() {
      const images = (await call('list images', () => docker.listImages())) as Raw[]
      return images.flatMap((image) => (image.RepoTags ?? []) as string[]).filter((tag) => tag !== '<none>:<none>')
    },
    async close() {
      if (closed) return
      closed = true
      await onClose()
    },
  }
}

function engineError(target: string, what: string, error: unknown): SwarmnetError {
  const err = error as {statusCode?: number; json?: {message?: string}; message?: string}
  if (err?.statusCode === 400 && /HTTP request to an HTTPS server/i.test(String(err.json ?? err.message))) {
    return new SwarmnetError(`${target}: ${what}: the engine speaks TLS; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or use a context`)
  }

  const daemonSays = String(err?.json?.message ?? '')
  if (err?.statusCode === 503 && /not a swarm manager/i.test(daemonSays)) {
    return new SwarmnetError(`${target}: ${what}: this engine is a swarm worker, not a manager; point swarmnet at a manager with --host, --context or --machine`, 1, WORKER_CODE)
  }

  if (err?.statusCode === 503 && /not part of a swarm/i.test(daemonSays)) {
    return new SwarmnetError(`${target}: ${what}: this engine is not part of a swarm; run \`docker swarm init\` (or join one) first`)
  }

  return new SwarmnetError(`${target}: ${what}: ${reasonOf(error)}`)
}

function notFoundAsUndefined(error: {statusCode?: number}): undefined {
  if (error?.statusCode === 404) return undefined
  throw error
}

/** `docker exec` without a terminal: stdout kept as bytes, stderr as text, then the exit code. */
async function runExec(
  docker: Docker,
  containerId: string,
  command: string[],
  options: {input?: string; done?: (stdout: Buffer) => boolean; limitMs: number; what: string},
): Promise<{exitCode?: number; stdout: Buffer; stderr: string}> {
  const withInput = options.input !== undefined
  const exec = await docker.getContainer(containerId).exec({Cmd: command, AttachStdout: true, AttachStderr: true, AttachStdin: withInput, Tty: false})
  const stream = await exec.start({hijack: true, stdin: withInput})
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  let complete = false
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy()
      reject(new SwarmnetError(`${options.what}: timed out after ${formatSeconds(options.limitMs)}`))
    }, options.limitMs)
    const finish = () => {
      clearTimeout(timer)
      resolve()
    }

    const out = new PassThrough().on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      if (!complete && options.done?.(Buffer.concat(stdout))) {
        complete = true
        stream.destroy()
        finish()
      }
    })
    const err = new PassThrough().on('data', (chunk: Buffer) => stderr.push(chunk))
    docker.modem.demuxStream(stream, out, err)
    stream.on('end', finish)
    stream.on('close', finish)
    stream.on('error', (error) => {
      clearTimeout(timer)
      if (complete) resolve()
      else reject(error)
    })
    if (withInput) (stream as unknown as NodeJS.WritableStream).write(options.input!)
  })
  const info = complete ? undefined : ((await exec.inspect()) as Raw)
  return {exitCode: info && !info.Running ? Number(info.ExitCode) : undefined, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8')}
}

/** The content of the one file in a `docker cp`-style tar stream. */
async function firstFileOf(archive: NodeJS.ReadableStream): Promise<Buffer> {
  const {extract} = await import('tar-stream')
  const entries = extract()
  return new Promise((resolve, reject) => {
    let found: Buffer | undefined
    entries.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk) => chunks.push(chunk as Buffer))
      stream.on('end', () => {
        if (found === undefined && header.type === 'file') found = Buffer.concat(chunks)
        next()
      })
    })
    entries.on('finish', () => (found === undefined ? reject(new Error('not a regular file')) : resolve(found)))
    entries.on('error', reject)
    archive.on('error', reject)
    archive.pipe(entries)
  })
}

function splitRepoTag(repoTag: string): [string, string?] {
  const slash = repoTag.lastIndexOf('/')
  const colon = repoTag.lastIndexOf(':')
  return colon > slash ? [repoTag.slice(0, colon), repoTag.slice(colon + 1)] : [repoTag]
}
