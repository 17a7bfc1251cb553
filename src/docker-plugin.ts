// What bin/docker-swarmnet.js (the docker CLI plugin's entry) needs before swarmnet runs, as a bundle
// of its own (dist/docker-plugin.cjs) a few KB long: docker asks every plugin for its metadata
// whenever it lists commands, so that answer must not wait for the whole CLI to load.
export {pluginInvocation, PLUGIN_NAME} from './lib/docker-plugin/invocation.js'
export {pluginMetadata} from './lib/docker-plugin/metadata.js'
export {watchDockerCli} from './lib/docker-plugin/socket.js'
