// Bundles the CLI (src/cli.ts with oclif, dockerode and the rest) into dist/swarmnet.cjs, one file
// that bin/run.js compiles once and then loads from V8's code cache (see bin/run.js for why).
import {readFileSync, writeFileSync} from 'node:fs'
import {isBuiltin} from 'node:module'
import path from 'node:path'

import {build} from 'esbuild'

// Modules loaded at start-up by what imports them, for code a swarmnet command seldom or never runs.
// Each becomes a stub that loads the module on first use: a call, or reading one of its exports.
const deferred = [
  [/^\.\/session$/, /dockerode[\\/]lib/, 'function'], // dockerode: BuildKit sessions, over gRPC
  [/^\.\/ssh$/, /docker-modem[\\/]lib/, 'function'], // docker-modem's SSH transport, with ssh2 (swarmnet has its own)
  [/^https$/, /docker-modem[\\/]lib/, 'object'], // TLS, also loaded when the engine is a unix socket
  [/^zlib$/, /dockerode[\\/]lib/, 'object'], // gzip, for image builds
  [/^node:readline$/, /@oclif[\\/]core/, 'object'], // oclif reads stdin for an argument given as -
  [/^node:perf_hooks$/, /@oclif[\\/]core/, 'object'], // oclif's own timings, taken only when asked for (enablePerf)
  // oclif: commands found by file pattern, plugin matching, help templates, its spinner, plugins' package.json
  [/^(tinyglobby|minimatch|ejs|cli-spinners|lilconfig)$/, /@oclif[\\/]core/, 'object'],
]
const stub = {
  function: (real) => `let m; module.exports = function (...args) { return (m ??= require(${real})).apply(this, args) }`,
  // __esModule is read by interop helpers as the module is imported: answered without loading it.
  object: (real) => `module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : require(${real})[key])})`,
}
const defer = {
  name: 'defer',
  setup(b) {
    b.onResolve({filter: new RegExp(deferred.map(([spec]) => spec.source).join('|'))}, async (args) => {
      const rule = deferred.find(([spec, importer]) => spec.test(args.path) && importer.test(args.importer))
      if (!rule || args.pluginData === 'real') return undefined
      const real = isBuiltin(args.path) ? args.path : `./${path.relative('.', (await b.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, pluginData: 'real'})).path)}`
      return {path: real, namespace: 'deferred', pluginData: rule[2]}
    })
    b.onLoad({filter: /.*/, namespace: 'deferred'}, (args) => ({contents: stub[args.pluginData](JSON.stringify(args.path)), resolveDir: '.'}))
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
  // oclif's TypeScript support for development and its engine check (semver), and what only an
  // interactive terminal needs, and Graphviz's WebAssembly (1 MB, for map --format svg only). The whole
  // bundle is read at every start, whether its code runs or not.
  external: ['ssh2', '@grpc/*', 'protobufjs', 'typescript', 'tsx', 'ts-node', 'semver', '@inquirer/prompts', 'ora', '@viz-js/viz'],
  // import() inside a script compiled from V8's code cache fails on Node 20 (the cached code loses
  // Node's import callback): the bundler turns every import() into require(), which loads ES modules too.
  supported: {'dynamic-import': false},
  define: {'import.meta.url': 'importMetaUrl'},
  // CommonJS wrapped by hand: required (as oclif manifest does), the file runs at once; compiled by
  // bin/run.js as a script (`this` is the global object), it evaluates to the function, which
  // bin/run.js calls. V8 then compiles the file's text as it was read, with no wrapped copy of 1 MB
  // to make. Strict, as esbuild's own "use strict" would make it (only the first statement counts).
  banner: {js: "(this === globalThis ? (load) => load : (load) => load(exports, require, module, __filename, __dirname))(function (exports, require, module, __filename, __dirname) { 'use strict'; const importMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  footer: {js: '})'},
  plugins: [defer],
  // A third smaller, so less to read at every start; names stay, for stack traces and for the code
  // that reads constructor names.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
})

// The docker CLI plugin's entry (bin/docker-swarmnet.js) loads this first, for docker's metadata call
// and to turn docker's options into swarmnet's: small, so that call never loads the CLI.
await build({entryPoints: ['src/docker-plugin.ts'], outfile: 'dist/docker-plugin.cjs', bundle: true, platform: 'node', format: 'cjs', target: 'node20', minifyWhitespace: true, logLevel: 'warning'})

// esbuild leaves some non-ASCII characters raw (in regular expressions); as \u escapes the file is
// ASCII, which bin/run.js reads as latin1, many times faster than decoding UTF-8.
const file = 'dist/swarmnet.cjs'
const source = readFileSync(file, 'utf8')
writeFileSync(file, source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
