// The whole CLI as one module: esbuild bundles it into dist/swarmnet.cjs, which bin/run.js loads with
// V8's code cache. Commands are listed here (oclif's explicit discovery), so oclif finds them in the
// bundle instead of importing a file per command.
import {type Command, type Interfaces, execute} from '@oclif/core'
import {commands as helpCommands} from '@oclif/plugin-help'
import {createRequire} from 'node:module'
import path from 'node:path'

import Dns from './commands/dns.js'
import DockerPluginInstall from './commands/docker-plugin/install.js'
import DockerPluginUninstall from './commands/docker-plugin/uninstall.js'
import Doctor from './commands/doctor.js'
import InspectCfg from './commands/inspect/cfg.js'
import InspectService from './commands/inspect/service.js'
import LabDown from './commands/lab/down.js'
import LabEnv from './commands/lab/env.js'
import LabStatus from './commands/lab/status.js'
import LabUp from './commands/lab/up.js'
import LbTest from './commands/lb/test.js'
import SwarmMap from './commands/map.js'
import MeshCheck from './commands/mesh/check.js'
import NetworkCreate from './commands/network/create.js'
import NetworkInspect from './commands/network/inspect.js'
import NetworkLs from './commands/network/ls.js'
import NodeEnv from './commands/node/env.js'
import NodeIp from './commands/node/ip.js'
import NodeLs from './commands/node/ls.js'
import ProxyDown from './commands/proxy/down.js'
import ProxyStatus from './commands/proxy/status.js'
import ProxyUp from './commands/proxy/up.js'
import RouteAdd from './commands/route/add.js'
import RouteLs from './commands/route/ls.js'
import RouteRm from './commands/route/rm.js'
import RouteSync from './commands/route/sync.js'
import {moveLeadingGlobalFlags} from './lib/core/argv.js'

export {default as commandNotFound} from './hooks/command-not-found.js'

// oclif's help and autocomplete commands are listed here too, so no plugin is looked for and loaded
// at start-up. plugin-autocomplete exports none of its commands: they load from where its oclif
// section says they are, only when run (oclif asks this object for the one command it runs).
const require = createRequire(import.meta.url)
const autocomplete = (file: string) => () => {
  const dir = path.join(path.dirname(require.resolve('@oclif/plugin-autocomplete')), 'commands', 'autocomplete')
  return (require(path.join(dir, file)) as {default: Command.Class}).default
}

export const COMMANDS: Record<string, Command.Class> = Object.defineProperties({
  ...helpCommands,
  dns: Dns,
  'docker-plugin:install': DockerPluginInstall,
  'docker-plugin:uninstall': DockerPluginUninstall,
  doctor: Doctor,
  'inspect:cfg': InspectCfg,
  'inspect:service': InspectService,
  'lab:down': LabDown,
  'lab:env': LabEnv,
  'lab:status': LabStatus,
  'lab:up': LabUp,
  'lb:test': LbTest,
  map: SwarmMap,
  'mesh:check': MeshCheck,
  'network:create': NetworkCreate,
  'network:inspect': NetworkInspect,
  'network:ls': NetworkLs,
  'node:env': NodeEnv,
  'node:ip': NodeIp,
  'node:ls': NodeLs,
  'proxy:down': ProxyDown,
  'proxy:status': ProxyStatus,
  'proxy:up': ProxyUp,
  'route:add': RouteAdd,
  'route:ls': RouteLs,
  'route:rm': RouteRm,
  'route:sync': RouteSync,
}, {
  autocomplete: {enumerable: true, get: autocomplete('index.js')},
  'autocomplete:create': {enumerable: true, get: autocomplete('create.js')},
  'autocomplete:script': {enumerable: true, get: autocomplete('script.js')},
})

/** What bin/run.js calls, with the package's root and package.json (read already: oclif need not look). */
export async function run(argv: string[], root: string, pjson: Interfaces.PJSON): Promise<void> {
  // Run by docker as a CLI plugin (bin/docker-swarmnet.js): help, usage and hints name `docker swarmnet`;
  // swarmnet's own SWARMNET_* variables still count (oclif scopes them by the bin name and its aliases).
  if (path.basename(process.argv[1] ?? '') === 'docker-swarmnet.js') {
    const docker = path.basename(process.env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND || 'docker')
    pjson = {...pjson, oclif: {...pjson.oclif, bin: `${docker} ${pjson.oclif.bin}`, binAliases: [pjson.oclif.bin!]}}
  }

  await execute({args: moveLeadingGlobalFlags(argv), loadOptions: {root, pjson}})
}
