import {spawn} from 'node:child_process'

import {BIN} from './cli.js'

/** A step of a conversation: once the screen shows `when` (at once, without it), type `keys`. */
export interface Step {
  when?: string
  keys: string
}

/** The screen as a reader sees it: no carriage returns, no colours or cursor moves. */
// eslint-disable-next-line no-control-regex
const clean = (text: string) => text.replaceAll('\r', '').replaceAll(/\u001B\[[0-9;?]*[a-zA-Z]/g, '')

/**
 * Runs swarmnet on a real pseudo-terminal (util-linux `script`) and answers its prompts: each step
 * waits until the screen shows `when` (a prompt is drawn after it listens for keys), then types `keys`.
 */
export function converse(args: string[], steps: Step[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{code: number; screen: string}> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let screen = ''
    let next = 0
    let seenUpTo = 0
    /** Types every step whose prompt has come since the last one typed. */
    const answer = () => {
      while (next < steps.length) {
        const step = steps[next]
        const shown = clean(screen)
        if (step.when !== undefined && !shown.slice(seenUpTo).includes(step.when)) return
        seenUpTo = shown.length
        next++
        child.stdin.write(step.keys)
      }
    }

    child.stdout.on('data', (d) => {
      screen += d
      answer()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? 1, screen: clean(screen)})
    })
    answer()
  })
}
