import {existsSync, readdirSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {SwarmnetError, UsageError} from '../core/errors.js'
import {readJsonFile} from '../core/json-file.js'
import type {Endpoint} from './endpoint.js'
import {readTlsDir} from './tls.js'

/** What swarmnet needs from a docker-machine machine, read from its store without the binary. */
export interface Machine {
  name: string
  driver: string
  ip: string
  enginePort: number
  sshUser: string
  sshPort: number
  sshKeyPath: string
  /** The directory holding ca.pem, cert.pem and key.pem: what `docker-machine env` puts in DOCKER_CERT_PATH. */
  certDir: string
}

type Env = NodeJS.ProcessEnv

export function machineStoreDir(env: Env = process.env): string {
  return env.MACHINE_STORAGE_PATH || path.join(env.HOME || os.homedir(), '.docker', 'machine')
}

export function hasMachine(name: string, env: Env = process.env): boolean {
  return existsSync(configFile(name, env))
}

export function listMachineNames(env: Env = process.env): string[] {
  const dir = path.join(machineStoreDir(env), 'machines')
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((name) => existsSync(path.join(dir, name, 'config.json'))).sort()
}

/** Reads machines/<name>/config.json (ConfigVersion 3). An unknown name lists the known ones. */
export function readMachine(name: string, env: Env = process.env): Machine {
  const file = configFile(name, env)
  if (!existsSync(file)) {
    const known = listMachineNames(env)
    const list = known.length > 0 ? `known machines: ${known.join(', ')}` : 'it has no machines'
    throw new UsageError(`unknown docker-machine machine "${name}" in ${machineStoreDir(env)}; ${list}`)
  }

  const config = readJsonFile(file, 'is not a valid docker-machine config (not JSON)') as {
    Driver?: Record<string, unknown>
    DriverName?: string
    HostOptions?: {AuthOptions?: Record<string, unknown>}
  }

  const driver = config.Driver ?? {}
  const ip = typeof driver.IPAddress === 'string' ? driver.IPAddress : ''
  if (!ip) throw new SwarmnetError(`docker-machine machine "${name}" has no IP address in ${file}; is it running?`)
  const machineDir = path.dirname(file)
  // Paths in the store are absolute from when the machine was made; a moved store keeps its layout.
  const storePath = String(config.HostOptions?.AuthOptions?.StorePath ?? '')
  const certDir = storePath && existsSync(storePath) ? storePath : machineDir
  const sshKey = String(driver.SSHKeyPath ?? '')
  return {
    name,
    driver: String(config.DriverName ?? ''),
    ip,
    enginePort: Number(driver.EnginePort) || 2376,
    sshUser: String(driver.SSHUser || 'root'),
    sshPort: Number(driver.SSHPort) || 22,
    sshKeyPath: sshKey && existsSync(sshKey) ? sshKey : path.join(machineDir, 'id_rsa'),
    certDir,
  }
}

/** The machine's engine as `docker-machine env` describes it: tcp://IP:2376 with verified TLS. */
export function machineEndpoint(machine: Machine): Endpoint {
  const tls = readTlsDir(machine.certDir, {verify: true, origin: `docker-machine machine "${machine.name}"`, required: ['ca', 'cert', 'key']})
  return {kind: 'tcp', host: machine.ip, port: machine.enginePort, tls}
}

function configFile(name: string, env: Env): string {
  if (name === '' || name.includes('/') || name.startsWith('.')) throw new UsageError(`invalid machine name "${name}"`)
  return path.join(machineStoreDir(env), 'machines', name, 'config.json')
}
