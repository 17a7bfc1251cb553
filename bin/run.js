#!/usr/bin/env node
// Colour is decided before anything that reads it (chalk, supports-color, cli-table3) is loaded.
const argv = process.argv.slice(2)
const noColor = (process.env.NO_COLOR ?? '') !== '' || argv.includes('--no-color') || argv.includes('--json') || process.env.TERM === 'dumb'
if (noColor) process.env.FORCE_COLOR = '0'

process.on('SIGINT', () => {
  process.stderr.write('\ninterrupted\n')
  process.exit(130)
})

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
