#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs the TypeScript sources directly (development only; the published bin is run.js).
import {execute} from '@oclif/core'

import {moveLeadingGlobalFlags} from '../src/lib/argv.ts'

await execute({args: moveLeadingGlobalFlags(process.argv.slice(2)), development: true, dir: import.meta.url})
