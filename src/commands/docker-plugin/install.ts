import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {type InstallResult, installForThisSwarmnet, pluginTarget} from '../../lib/docker-plugin/install.js'

export default class DockerPluginInstall extends SwarmnetCommand<typeof DockerPluginInstall> {
  static summary = 'Install swarmnet as a docker CLI plugin: docker swarmnet ...'
  static description =
    "Writes an executable docker-swarmnet into $DOCKER_CONFIG/cli-plugins (else ~/.docker/cli-plugins) that runs this swarmnet with this node. docker then lists `swarmnet` in `docker --help` and runs `docker swarmnet COMMAND` with docker's own -H, --context, --config and TLS options. A docker-swarmnet swarmnet did not write is not replaced without --force. Run it again after moving swarmnet or node."
  static examples = ['<%= config.bin %> <%= command.id %>', 'docker swarmnet route add go-demo /demo 8080', '<%= config.bin %> <%= command.id %> --config-dir /srv/docker-config']
  static flags = {
    'config-dir': Flags.string({summary: "Docker client config directory whose cli-plugins/ gets the plugin (else $DOCKER_CONFIG, else ~/.docker)."}),
    force: Flags.boolean({summary: 'Replace a docker-swarmnet that swarmnet did not write.'}),
  }

  async run(): Promise<InstallResult> {
    const target = pluginTarget(this.flags['config-dir'])
    const result = await installForThisSwarmnet(target, this.config.root, process.execPath, {force: this.flags.force})
    this.log(`${result.action} ${result.file} (runs ${result.runs.entry} with ${result.runs.node})`)
    const where = this.flags['config-dir'] === undefined ? '' : ` --config ${target.configDir}`
    this.log(`try: docker${where} swarmnet node ls`)
    return result
  }
}
