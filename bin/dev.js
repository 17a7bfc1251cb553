#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs the TypeScript sources directly (development only; the published bin is run.js).
const {readFileSync} = require('node:fs')
const path = require('node:path')

// package.json points oclif at the bundle for the commands and the hook; here they come from src/cli.ts.
const root = path.join(__dirname, '..')
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
pjson.oclif.commands.target = './src/cli.ts'
pjson.oclif.hooks.command_not_found.target = './src/cli.ts'

Promise.all([import('@oclif/core'), import('../src/lib/argv.ts')]).then(([{execute}, {moveLeadingGlobalFlags}]) =>
  execute({args: moveLeadingGlobalFlags(process.argv.slice(2)), development: true, loadOptions: {root, pjson}}),
)
