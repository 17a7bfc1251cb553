import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {pluginTarget, uninstallPlugin} from '../../lib/docker-plugin/install.js'

export default class DockerPluginUninstall extends SwarmnetCommand<typeof DockerPluginUninstall> {
  static summary = 'Remove the docker CLI plugin that install wrote'
  static description = 'Removes $DOCKER_CONFIG/cli-plugins/docker-swarmnet (else under ~/.docker) only when swarmnet wrote it; any other docker-swarmnet is left in place, and named.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --config-dir /srv/docker-config']
  static flags = {
    'config-dir': Flags.string({summary: "Docker client config directory whose cli-plugins/ holds the plugin (else $DOCKER_CONFIG, else ~/.docker)."}),
  }

  async run(): Promise<{removed: boolean; file: string}> {
    const target = pluginTarget(this.flags['config-dir'])
    const removed = uninstallPlugin(target)
    this.log(removed ? `removed ${target.file}` : `no ${target.file}; nothing removed`)
    return {removed, file: target.file}
  }
}
