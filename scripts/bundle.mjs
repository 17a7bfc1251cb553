// Bundles the CLI (src/cli.ts with oclif, dockerode and the rest) into dist/swarmnet.cjs, one file
// that bin/run.js compiles once and then loads from V8's code cache (see bin/run.js for why).
import {readFileSync, writeFileSync} from 'node:fs'

import {build} from 'esbuild'

// dockerode's BuildKit session (gRPC) and docker-modem's SSH transport (ssh2) load heavy trees at
// require time for code swarmnet never calls: each becomes a stub that loads the module on first call.
const deferred = /[\\/]node_modules[\\/](dockerode[\\/]lib[\\/]session|docker-modem[\\/]lib[\\/]ssh)\.js$/
const defer = {
  name: 'defer',
  setup(b) {
    // The stub requires the module itself, marked with a query under which esbuild loads it as it is.
    b.onLoad({filter: deferred}, (args) => (args.suffix === '?now' ? undefined : {
      contents: `module.exports = function (...args) { return require(${JSON.stringify(`${args.path}?now`)}).apply(this, args) }`,
    }))
  },
}

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/swarmnet.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Left in node_modules, loaded only when called: native code (ssh2), what the deferred modules load,
  // oclif's TypeScript support for development, and what only an interactive terminal needs.
  external: ['ssh2', '@grpc/*', 'protobufjs', 'typescript', 'tsx', 'ts-node', '@inquirer/prompts', 'ora'],
  // import() inside a script compiled from V8's code cache fails on Node 20 (the cached code loses
  // Node's import callback): the bundler turns every import() into require(), which loads ES modules too.
  supported: {'dynamic-import': false},
  define: {'import.meta.url': 'importMetaUrl'},
  banner: {js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  plugins: [defer],
  logLevel: 'warning',
})

// esbuild leaves some non-ASCII characters raw (in regular expressions); as \u escapes the file is
// ASCII, which bin/run.js reads as latin1, many times faster than decoding UTF-8.
const file = 'dist/swarmnet.cjs'
const source = readFileSync(file, 'utf8')
writeFileSync(file, source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
