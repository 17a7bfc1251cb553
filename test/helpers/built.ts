import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'

import {ROOT} from './cli.js'

const BUNDLE = path.join(ROOT, 'dist', 'swarmnet.cjs')

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }

  return latest
}

/**
 * The CLI bundle bin/run.js loads, made from src/ when it is missing (a fresh clone) or older than
 * any source: a unit test that runs the CLI tests this tree's code, with no `npm run build` first.
 * (The committed oclif.manifest.json is used as it is; test/lib/manifest.test.ts checks it.)
 */
export function ensureBundle(): void {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest(path.join(ROOT, 'src'))) return
  execFileSync(process.execPath, ['scripts/bundle.mjs'], {cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit']})
}
