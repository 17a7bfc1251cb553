#!/usr/bin/env -S node --loader ts-node/esm --disable-warning=ExperimentalWarning
// Runs the TypeScript sources directly (development only; the published bin is run.js).
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url})
