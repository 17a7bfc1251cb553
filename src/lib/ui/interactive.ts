import {InterruptedError, UsageError} from '../core/errors.js'

const PROMPT_TIMEOUT_MS = 60_000

/** Prompts only on a terminal (stdin and stdout), outside CI, and never under --json. */
export function canPrompt(options: {json?: boolean} = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !env.CI && !options.json
}

/**
 * Asks the user to pick one value, or fails with a usage error that names the argument or flag that
 * answers the question. The prompt gives up after a minute rather than wait forever.
 */
export async function chooseOne<T>(options: {
  message: string
  answeredBy: string
  choices: {name: string; value: T; description?: string}[]
  json?: boolean
}): Promise<T> {
  if (!canPrompt({json: options.json})) throw new UsageError(`missing ${options.answeredBy}; pass it on the command line (no terminal to ask on)`)
  if (options.choices.length === 0) throw new UsageError(`missing ${options.answeredBy}, and there is nothing to choose from`)
  const {select} = await import('@inquirer/prompts')
  return ask(() => select({message: options.message, choices: options.choices}, {signal: AbortSignal.timeout(PROMPT_TIMEOUT_MS)}), options.answeredBy)
}

/** Asks for a line of text (e.g. a name), with the same rules as chooseOne. */
export async function askText(options: {message: string; answeredBy: string; json?: boolean; default?: string}): Promise<string> {
  if (!canPrompt({json: options.json})) throw new UsageError(`missing ${options.answeredBy}; pass it on the command line (no terminal to ask on)`)
  const {input} = await import('@inquirer/prompts')
  return ask(() => input({message: options.message, required: true, default: options.default}, {signal: AbortSignal.timeout(PROMPT_TIMEOUT_MS)}), options.answeredBy)
}

/** Confirms a destructive action; default No. `--yes` answers it; without a terminal, `--yes` is required. */
export async function confirmDestructive(options: {question: string; action: string; yes: boolean; json?: boolean}): Promise<boolean> {
  if (options.yes) return true
  if (!canPrompt({json: options.json})) throw new UsageError(`${options.action} needs confirmation; pass --yes (no terminal to ask on)`)
  const {confirm} = await import('@inquirer/prompts')
  return ask(() => confirm({message: options.question, default: false}, {signal: AbortSignal.timeout(PROMPT_TIMEOUT_MS)}), '--yes')
}

async function ask<T>(prompt: () => Promise<T>, answeredBy: string): Promise<T> {
  try {
    return await prompt()
  } catch (error) {
    const name = (error as Error).name
    if (name === 'ExitPromptError') throw new InterruptedError()
    if (name === 'AbortPromptError') throw new UsageError(`no answer within ${PROMPT_TIMEOUT_MS / 1000}s; pass ${answeredBy}`)
    throw error
  }
}

/** A yes/no question about something not destructive (e.g. "sync now?"); undefined when there is no terminal to ask on. */
export async function askYesNo(options: {question: string; default: boolean; json?: boolean}): Promise<boolean | undefined> {
  if (!canPrompt({json: options.json})) return undefined
  const {confirm} = await import('@inquirer/prompts')
  return ask(() => confirm({message: options.question, default: options.default}, {signal: AbortSignal.timeout(PROMPT_TIMEOUT_MS)}), 'the flag named in the question')
}
