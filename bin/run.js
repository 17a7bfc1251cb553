#!/usr/bin/env node
// Start-up is most of what a read command costs, so this file does little before the CLI runs:
// `--version` is answered here, and the CLI (one bundle, dist/swarmnet.cjs) is compiled from V8's
// code cache when one is there. CommonJS (bin/package.json): Node starts it without its ES module
// loader.
const {mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')

const argv = process.argv.slice(2)
const root = path.join(__dirname, '..')
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

// What oclif prints for its version flags (config.userAgent), without loading oclif. Only under WSL
// does oclif print another platform name; there oclif answers.
if ([...pjson.oclif.additionalVersionFlags, '--version'].includes(argv[0]) && !mightBeWsl()) {
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${os.arch() === 'ia32' ? 'x86' : os.arch()} node-${process.version}\n`)
} else {
  main()
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
  // Node 22+ caches compiled code of what still loads from node_modules (ssh2, prompts); a no-op on Node 20.
  Module.enableCompileCache?.()

  await loadBundle(path.join(root, 'dist', 'swarmnet.cjs')).run(argv, root, pjson)
}

/**
 * Loads the bundle as CommonJS, compiled with V8's cached data from an earlier run of the same
 * command (Node 20 has no compile cache of its own). The cache is written at the exit of a run that
 * succeeded, so it holds the code the command ran, when it was missing, stale or rejected; failing
 * to read or write it only costs speed.
 */
function loadBundle(file) {
  const {size, mtimeMs} = statSync(file)
  const key = JSON.stringify([file, size, mtimeMs, pjson.version])
  // Roughly the command run (a topic and its command, or one word): each command has its own cache,
  // as small as what it runs. One directory per Node version, one name per installed copy.
  const [first, second] = argv.filter((word) => /^[a-z]+$/.test(word))
  const command = [first, first in pjson.oclif.topics ? second : undefined].filter(Boolean).join('-')
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'swarmnet', 'code-cache', `${process.version}-${process.arch}`)
  const cacheFile = path.join(dir, `${file.replace(/[^\w.]+/g, '-').slice(-150)}.${command || 'none'}`)
  let cached
  try {
    // The key as a line of JSON (which bundle it was made from), then V8's data.
    const data = readFileSync(cacheFile)
    if (data.toString('utf8', 0, data.indexOf(10)) === key) cached = data.subarray(data.indexOf(10) + 1)
  } catch {}

  // scripts/bundle.mjs escapes every non-ASCII character, so latin1 reads the bundle exactly, and
  // many times faster than UTF-8 decoding (~10 ms for 1.5 MB here).
  const source = readFileSync(file, 'latin1')
  const script = new vm.Script(source, {filename: file, cachedData: cached})
  if (!cached || script.cachedDataRejected) {
    process.once('exit', (code) => {
      if (code !== 0) return // a failed run (a typo, an engine down) may have run only part of the command
      const temp = `${cacheFile}.${process.pid}` // renamed into place: whole or not at all, even with runs in parallel
      try {
        mkdirSync(dir, {recursive: true})
        writeFileSync(temp, Buffer.concat([Buffer.from(`${key}\n`), script.createCachedData()]))
        renameSync(temp, cacheFile)
      } catch {
        try {
          rmSync(temp, {force: true}) // a partial write; nothing, when there was nowhere to write
        } catch {}
      }
    })
  }

  // Registered before it runs: oclif requires this same file for the commands and the hook.
  const bundle = new Module(file)
  bundle.filename = file
  const bundleRequire = Module.createRequire(file)
  bundleRequire.cache[file] = bundle
  script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire, bundle, file, path.dirname(file))
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
