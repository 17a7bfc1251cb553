import {Flags} from '@oclif/core'

import {UsageError} from './errors.js'

/** Flags several commands share, defined once, and the rules on how flags go together. */

/** --yes of every command that asks before removing something. */
export const yesFlag = Flags.boolean({char: 'y', summary: 'Remove without asking.'})

/** --yes of `route sync`, which asks before pruning. */
export const pruneYesFlag = Flags.boolean({char: 'y', summary: 'Prune without asking.'})

/** Where a value came from, for messages: `--flag` when typed, the variable when read from the environment. */
export function originOf(argv: string[], flag: string, variable: string): string {
  return givenOnCommandLine(argv, flag) ? `--${flag}` : variable
}

/** Whether --flag (or --flag=...) was typed; oclif fills a flag from its env variable too. */
export function givenOnCommandLine(argv: string[], flag: string, char?: string): boolean {
  return argv.some((token) => token === `--${flag}` || token.startsWith(`--${flag}=`) || (char !== undefined && (token === `-${char}` || (token.startsWith(`-${char}`) && !token.startsWith('--')))))
}

/** Flags that work only together with another: each needs its partner, or is a usage error. */
export function checkFlagNeeds(given: Record<string, boolean>, needs: Record<string, string>): void {
  for (const [flag, partner] of Object.entries(needs)) {
    if (given[flag] && !given[partner]) throw new UsageError(`--${flag} goes with --${partner}; without it, --${flag} would do nothing`)
  }
}

/** Flags that cannot be given together. */
export function checkExclusive(given: Record<string, boolean>, pairs: [string, string, string][]): void {
  for (const [a, b, why] of pairs) {
    if (given[a] && given[b]) throw new UsageError(`--${a} does not go with --${b}: ${why}`)
  }
}
