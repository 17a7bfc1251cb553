import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'

import {SwarmnetError, oneLine} from '../core/errors.js'

export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

/** Runs a host command with a time limit; a failure is one line naming the command and its stderr. */
export function run(command: string, args: string[], options: {timeoutMs?: number; allowFail?: boolean; input?: string} = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, {timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      if (error && !options.allowFail) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : oneLine(String(stderr || error.message)).slice(0, 300)
        reject(new SwarmnetError(`${command} ${args.join(' ')}: ${why}`))
        return
      }

      resolve({stdout: String(stdout), stderr: String(stderr), code})
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/** Finds an executable on PATH or in the usual sbin directories (root's PATH may lack them). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH]
  return dirs.map((dir) => `${dir}/${name}`).find((file) => existsSync(file))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms)
  })
}

/** Polls `check` until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }

    await sleep(intervalMs)
  }

  const why = lastError ? `: ${oneLine((lastError as Error).message ?? String(lastError))}` : ''
  throw new SwarmnetError(`${what}: not ready after ${timeoutMs / 1000}s${why}`)
}
