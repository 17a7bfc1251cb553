import {spawn} from 'node:child_process'

import {BIN} from './cli.js'

/**
 * Runs swarmnet on a real pseudo-terminal (util-linux `script`) and answers its prompts: each step
 * waits until the screen shows `when`, then types `keys`.
 */
export function converse(args: string[], steps: {when: string; keys: string}[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{code: number; screen: string}> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let screen = ''
    let next = 0
    let seenUpTo = 0
    const clean = (text: string) => text.replaceAll('\r', '').replaceAll(/\u001B\[[0-9;?]*[a-zA-Z]/g, '') // eslint-disable-line no-control-regex
    child.stdout.on('data', (d) => {
      screen += d
      const step = steps[next]
      const fresh = clean(screen).slice(seenUpTo)
      if (step && fresh.includes(step.when)) {
        seenUpTo = clean(screen).length
        next++
        setTimeout(() => child.stdin.write(step.keys), 200)
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? 1, screen: clean(screen)})
    })
  })
}
