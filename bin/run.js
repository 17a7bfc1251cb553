#!/usr/bin/env node
// Start-up is most of what a read command costs, so this file does little before the CLI runs:
// `--version` is answered here, and the CLI (one bundle, dist/swarmnet.cjs) is compiled from V8's
// code cache when one is there.
import {isAscii} from 'node:buffer'
import {mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const argv = process.argv.slice(2)
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

// What oclif prints for its version flags (config.userAgent), without loading oclif. Only under WSL
// does oclif print another platform name; there oclif answers.
if ([...pjson.oclif.additionalVersionFlags, '--version'].includes(argv[0]) && !mightBeWsl()) {
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${os.arch() === 'ia32' ? 'x86' : os.arch()} node-${process.version}\n`)
} else {
  await main()
}

async function main() {
  // Colour is decided before anything that reads it (chalk, supports-color, cli-table3) is loaded.
  const noColor = (process.env.NO_COLOR ?? '') !== '' || argv.includes('--no-color') || argv.includes('--json') || process.env.TERM === 'dumb'
  if (noColor) process.env.FORCE_COLOR = '0'

  process.on('SIGINT', () => {
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {message: 'interrupted', code: 'EINTERRUPTED', exitCode: 130}})}\n`)
    else process.stderr.write('\ninterrupted\n')
    process.exit(130)
  })

  // @oclif/core checks its own engines with the whole of semver at start-up; npm checks ours.
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  // Node 24+ warns that url.parse() is deprecated when its caller is not under node_modules; bundled,
  // docker-modem (which calls it for every TCP request) no longer is. Only that warning is dropped.
  const emitWarning = process.emitWarning
  process.emitWarning = (warning, ...rest) => (rest.includes('DEP0169') ? undefined : emitWarning.call(process, warning, ...rest))
  // Node 22+ caches compiled code of what still loads from node_modules (plugins, ssh2); a no-op on Node 20.
  Module.enableCompileCache?.()

  const bundle = path.join(root, 'dist', 'swarmnet.cjs')
  await loadBundle(bundle).run(argv, bundle)
}

/**
 * Loads the bundle as CommonJS, compiled with V8's cached data from an earlier run (Node 20 has no
 * compile cache of its own). The cache is rewritten at exit when it was missing, stale or rejected,
 * or when this command's code was not in it yet; any failure to read or write it only costs speed.
 */
function loadBundle(file) {
  const {size, mtimeMs} = statSync(file)
  const key = JSON.stringify([file, size, mtimeMs, pjson.version])
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'swarmnet', 'code-cache')
  // One file per Node version and per installed copy, so two copies in use do not overwrite each other's.
  const cacheFile = path.join(dir, `${process.version}-${process.arch}-${file.replace(/[^\w.]+/g, '-').slice(-150)}`)
  // Roughly the command run (a topic and its command, or one word), to know whether its code is cached.
  const [first, second] = argv.filter((word) => /^[a-z]+$/.test(word))
  const command = [first, first in pjson.oclif.topics ? second : undefined].filter(Boolean).join(' ')
  let cached
  try {
    // One line of JSON (which bundle, which commands ran while it was made), then V8's data.
    const data = readFileSync(cacheFile)
    const header = JSON.parse(data.toString('utf8', 0, data.indexOf(10)))
    if (header.key === key) cached = {commands: header.commands, data: data.subarray(data.indexOf(10) + 1)}
  } catch {}

  // The build makes the bundle ASCII: read as latin1, it needs no UTF-8 decoding (~10 ms for 1.5 MB).
  const bytes = readFileSync(file)
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {filename: file, cachedData: cached?.data})
  if (!cached || script.cachedDataRejected || !cached.commands.includes(command)) {
    // At exit the cache holds the code this command ran, not only the bundle's top level.
    process.once('exit', () => {
      const temp = `${cacheFile}.${process.pid}` // renamed into place: whole or not at all, even with runs in parallel
      try {
        const commands = [...new Set([...(script.cachedDataRejected ? [] : cached?.commands ?? []), command])]
        mkdirSync(dir, {recursive: true})
        writeFileSync(temp, Buffer.concat([Buffer.from(`${JSON.stringify({key, commands})}\n`), script.createCachedData()]))
        renameSync(temp, cacheFile)
      } catch {
        rmSync(temp, {force: true})
      }
    })
  }

  // Registered before it runs: oclif requires this same file for the commands and the hook.
  const bundle = new Module(file)
  bundle.filename = file
  const require = createRequire(file)
  require.cache[file] = bundle
  script.runInThisContext().call(bundle.exports, bundle.exports, require, bundle, file, path.dirname(file))
  bundle.loaded = true
  return bundle.exports
}

function mightBeWsl() {
  if (process.platform !== 'linux') return false
  try {
    return /microsoft/i.test(os.release() + readFileSync('/proc/version', 'utf8'))
  } catch {
    return false
  }
}
