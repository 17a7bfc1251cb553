import net from 'node:net'

/**
 * Newer docker CLIs (24+) listen on a socket named in DOCKER_CLI_PLUGIN_SOCKET and close it when they
 * are told to stop (SIGINT or SIGTERM) while their output is not a terminal, since the plugin then
 * gets no signal of its own (docker/cli cmd/docker/docker.go, cli-plugins/socket). The plugin connects
 * and takes end-of-file as that signal. An unreachable socket (an older CLI) changes nothing.
 */
export function watchDockerCli(address: string | undefined, onClosed: () => void): void {
  if (!address) return
  // A name starting with @ is Linux's abstract namespace, which Node spells with a leading NUL.
  const socket = net.connect({path: address.startsWith('@') ? `\0${address.slice(1)}` : address})
  socket.on('error', () => {})
  socket.on('end', onClosed)
  socket.resume()
  socket.unref() // never what keeps swarmnet running
}
