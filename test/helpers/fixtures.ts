import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A temporary directory removed after the current suite. */
export function tempDir(prefix = 'swarmnet-test-'): {dir: string; remove(): void} {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})}
}

/** Writes a Docker context into a config dir the way the docker CLI stores it. */
export function writeContext(configDir: string, name: string, host: string, tls?: {ca?: string; cert?: string; key?: string}, skipTlsVerify = false): void {
  const id = createHash('sha256').update(name).digest('hex')
  const meta = path.join(configDir, 'contexts', 'meta', id)
  mkdirSync(meta, {recursive: true})
  writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({Name: name, Metadata: {}, Endpoints: {docker: {Host: host, SkipTLSVerify: skipTlsVerify}}}))
  if (tls) {
    const dir = path.join(configDir, 'contexts', 'tls', id, 'docker')
    mkdirSync(dir, {recursive: true})
    for (const [file, content] of Object.entries(tls)) if (content !== undefined) writeFileSync(path.join(dir, `${file}.pem`), content)
  }
}

/** Writes a docker-machine machine (ConfigVersion 3) with its TLS files into a store. */
export function writeMachine(store: string, name: string, ip: string, options: {certs?: boolean; enginePort?: number} = {}): string {
  const dir = path.join(store, 'machines', name)
  mkdirSync(dir, {recursive: true})
  if (options.certs !== false) for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, file), `fake ${file}`)
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      ConfigVersion: 3,
      Driver: {IPAddress: ip, MachineName: name, SSHUser: 'docker', SSHPort: 50_022, SSHKeyPath: path.join(dir, 'id_rsa'), StorePath: store, ...(options.enginePort ? {EnginePort: options.enginePort} : {})},
      DriverName: 'virtualbox',
      HostOptions: {AuthOptions: {StorePath: dir, CertDir: path.join(store, 'certs')}},
      Name: name,
    }),
  )
  return dir
}

/** For the current suite: no terminal to ask on, as in CI, so no prompt may be shown (CI=true, put back after). */
export function asInCi(): void {
  let ci: string | undefined
  before(() => {
    ci = process.env.CI
    process.env.CI = 'true'
  })
  after(() => {
    if (ci === undefined) delete process.env.CI
    else process.env.CI = ci
  })
}

/** For the current suite: output without colour codes (colour level 0, put back after). */
export function withoutColour(colour: {level: number}): void {
  let level: number
  before(() => {
    level = colour.level
    colour.level = 0
  })
  after(() => {
    colour.level = level
  })
}
