#!/usr/bin/env node
// Colour is decided before anything that reads it (chalk, supports-color, cli-table3) is loaded.
const argv = process.argv.slice(2)
const noColor = (process.env.NO_COLOR ?? '') !== '' || argv.includes('--no-color') || argv.includes('--json') || process.env.TERM === 'dumb'
if (noColor) process.env.FORCE_COLOR = '0'

process.on('SIGINT', () => {
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {message: 'interrupted', code: 'EINTERRUPTED', exitCode: 130}})}\n`)
  else process.stderr.write('\ninterrupted\n')
  process.exit(130)
})

// @oclif/core checks its own engines with the whole of semver at import (~20 ms); npm checks ours.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
// Node 22+ caches compiled code between runs; on Node 20 this is a no-op.
const {default: nodeModule} = await import('node:module')
nodeModule.enableCompileCache?.()

const {moveLeadingGlobalFlags} = await import('../dist/lib/argv.js')
const {execute} = await import('@oclif/core')
await execute({args: moveLeadingGlobalFlags(argv), dir: import.meta.url})
