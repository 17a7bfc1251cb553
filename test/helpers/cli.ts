import {spawn} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON, when it is JSON. */
  json: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Variables that would point the CLI somewhere other than where a test says. */
const AMBIENT = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'MACHINE_STORAGE_PATH', 'SWARMNET_SSH_CONFIG', 'SWARMNET_CONFIG', 'DOCKER_MACHINE_NAME', 'SSH_AUTH_SOCK']

/** A clean environment: the test's own variables only, never the developer's docker settings. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, CI: '1', NO_COLOR: '1'}
  for (const name of AMBIENT) delete env[name]
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }

  return env
}

/** Runs the built CLI as a user would, with a clean environment plus `env`. */
export function swarmnet(args: string[], options: {env?: Record<string, string | undefined>; timeoutMs?: number; input?: string} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`swarmnet ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms; stderr: ${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      let json
      try {
        json = JSON.parse(stdout)
      } catch {}

      resolve({code: code ?? (signal === 'SIGINT' ? 130 : 1), stdout, stderr, json})
    })
    child.stdin.end(options.input ?? '')
  })
}
