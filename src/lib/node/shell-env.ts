import path from 'node:path'

import {UsageError} from '../core/errors.js'

export const SHELLS = ['bash', 'zsh', 'sh', 'fish', 'powershell'] as const
export type Shell = (typeof SHELLS)[number]

/** Variables to set (string) or unset (null), in order. */
export type EnvVars = [name: string, value: string | null][]

/** The shell to print for: --shell, else the login shell's name, else bash (as docker-machine env does). */
export function pickShell(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shell {
  if (flag !== undefined) {
    if (!(SHELLS as readonly string[]).includes(flag)) throw new UsageError(`unknown shell "${flag}"; expected one of ${SHELLS.join(', ')}`)
    return flag as Shell
  }

  const login = path.basename(env.SHELL ?? '')
  if (login === 'pwsh') return 'powershell'
  return (SHELLS as readonly string[]).includes(login) ? (login as Shell) : 'bash'
}

/** The lines after which a plain shell has these variables, plus the usual "eval" hint as comments. */
export function renderEnv(vars: EnvVars, shell: Shell, command: string): string {
  const lines = vars.map(([name, value]) => (value === null ? unsetLine(name, shell) : setLine(name, value, shell)))
  const evalHint = shell === 'fish' ? `eval (${command})` : shell === 'powershell' ? `& ${command} | Invoke-Expression` : `eval "$(${command})"`
  return [...lines, '# Run this command to configure your shell:', `# ${evalHint}`].join('\n')
}

function setLine(name: string, value: string, shell: Shell): string {
  switch (shell) {
    case 'fish': {
      return `set -gx ${name} ${singleQuote(value)};`
    }

    case 'powershell': {
      return `$Env:${name} = '${value.replaceAll("'", "''")}'`
    }

    default: {
      return `export ${name}=${singleQuote(value)}`
    }
  }
}

function unsetLine(name: string, shell: Shell): string {
  switch (shell) {
    case 'fish': {
      return `set -e ${name};`
    }

    case 'powershell': {
      return `Remove-Item Env:\\${name} -ErrorAction SilentlyContinue`
    }

    default: {
      return `unset ${name}`
    }
  }
}

/** POSIX and fish both read '...' literally; an embedded quote is closed, escaped and reopened. */
function singleQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", String.raw`'\''`)}'`
}
