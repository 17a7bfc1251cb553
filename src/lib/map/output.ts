import {spawn} from 'node:child_process'
import {statSync} from 'node:fs'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {UsageError} from '../core/errors.js'

/** The desktop's "open this file" command, found on PATH: xdg-open on Linux, open on macOS, start on Windows. */
export function desktopOpener(platform: NodeJS.Platform = process.platform, searchPath = process.env.PATH ?? ''): {command: string; args: string[]} | undefined {
  if (platform === 'win32') return {command: 'cmd', args: ['/c', 'start', '""']}
  const command = platform === 'darwin' ? 'open' : 'xdg-open'
  const found = searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command)).find((file) => isExecutable(file))
  return found ? {command: found, args: []} : undefined
}

function isExecutable(file: string): boolean {
  try {
    const stat = statSync(file)
    return stat.isFile() && (stat.mode & 0o111) !== 0
  } catch {
    return false
  }
}

/** Checks --output and --open before any work: the file's folder exists, and there is something to open it with. */
export function checkMapOutput(flags: {format: string; output?: string; open: boolean}): {command: string; args: string[]} | undefined {
  if (flags.output !== undefined) {
    const dir = path.dirname(path.resolve(flags.output))
    let isDir = false
    try {
      isDir = statSync(dir).isDirectory()
    } catch {}

    if (!isDir) throw new UsageError(`--output ${flags.output}: no such folder ${dir}; expected a file in an existing folder`)
  }

  if (!flags.open) return undefined
  if (flags.format !== 'svg') throw new UsageError(`--open shows the picture: it needs --format svg, not --format ${flags.format}`)
  const opener = desktopOpener()
  if (!opener) throw new UsageError(`--open: no desktop opener (${process.platform === 'darwin' ? 'open' : 'xdg-open'}) on PATH; use --output FILE and open it yourself`)
  return opener
}

/** Writes the drawing to `file`, or to a new private temporary folder when only --open was asked. */
export async function writeMapFile(text: string, file: string | undefined, format: string): Promise<string> {
  const target = file ?? path.join(await mkdtemp(path.join(tmpdir(), 'swarmnet-map-')), `map.${format}`)
  await writeFile(target, text.endsWith('\n') ? text : `${text}\n`)
  return target
}

/** Hands the file to the desktop and does not wait for the viewer to close. */
export function openFile(opener: {command: string; args: string[]}, file: string): void {
  const child = spawn(opener.command, [...opener.args, file], {detached: true, stdio: 'ignore'})
  child.on('error', () => {})
  child.unref()
}
