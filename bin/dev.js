#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs the TypeScript sources directly (development only; the published bin is run.js).
import {execute} from '@oclif/core'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {moveLeadingGlobalFlags} from '../src/lib/argv.ts'

// package.json points oclif at the bundle for the commands and the hook; here they come from src/cli.ts.
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))
pjson.oclif.commands.target = './src/cli.ts'
pjson.oclif.hooks.command_not_found.target = './src/cli.ts'

await execute({args: moveLeadingGlobalFlags(process.argv.slice(2)), development: true, loadOptions: {root, pjson}})
