#!/usr/bin/env node
// The docker CLI plugin's entry. docker runs docker-swarmnet (the script `swarmnet docker-plugin
// install` writes, which runs this file) with its own arguments, `[docker's global options] swarmnet
// ARGS`. The metadata call is answered here from package.json alone; anything else becomes a swarmnet
// command line that bin/run.js runs as it runs every command (one bundle, V8's code cache).
const {readFileSync} = require('node:fs')
const path = require('node:path')

const plugin = require('../dist/docker-plugin.cjs')

const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === 'docker-cli-plugin-metadata') {
  const pjson = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'))
  process.stdout.write(`${JSON.stringify(plugin.pluginMetadata(pjson), null, 2)}\n`)
} else {
  run()
}

function run() {
  let invocation
  try {
    invocation = plugin.pluginInvocation(argv, process.env)
  } catch (error) {
    const exitCode = error.exitCode ?? 1
    // The same one-line error swarmnet prints, before anything ran.
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {message: error.message, code: error.code ?? 'ERUNTIME', exitCode}})}\n`)
    else process.stderr.write(`Error: ${error.message}\n`)
    process.exitCode = exitCode
    return
  }

  for (const [name, value] of Object.entries(invocation.env)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }

  // docker closes this socket to say "stop" when it cannot rely on the terminal to signal us: that is
  // an interrupt, which bin/run.js answers (exit 130). Not passed on to whatever swarmnet runs.
  const socket = process.env.DOCKER_CLI_PLUGIN_SOCKET
  delete process.env.DOCKER_CLI_PLUGIN_SOCKET
  plugin.watchDockerCli(socket, () => process.kill(process.pid, 'SIGINT'))

  process.argv.splice(2, Number.POSITIVE_INFINITY, ...invocation.argv)
  require('./run.js')
}
