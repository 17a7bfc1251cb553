import {readFileSync} from 'node:fs'
import net from 'node:net'

/**
 * Newer docker CLIs (24+) listen on a socket named in DOCKER_CLI_PLUGIN_SOCKET and close it when they
 * are told to stop (SIGINT or SIGTERM) while their output is not a terminal, since the plugin then
 * gets no signal of its own (docker/cli cmd/docker/docker.go, cli-plugins/socket). The plugin connects
 * and takes end-of-file as that signal. An unreachable socket (an older CLI) changes nothing.
 */
export function watchDockerCli(address: string | undefined, onClosed: () => void, options: {readListing?: () => string; intervalMs?: number} = {}): void {
  if (!address) return
  // A name starting with @ is Linux's abstract namespace, which Node spells with a leading NUL.
  const abstract = address.startsWith('@')
  const socket = net.connect({path: abstract ? `\0${address.slice(1)}` : address})
  socket.on('end', onClosed)
  socket.on('error', () => {
    // Node 20's libuv pads an abstract name to the whole of sun_path, so it never reaches the exact
    // name Go listens on. Linux lists abstract sockets in /proc/net/unix: docker's leaves the list
    // when docker closes it.
    if (abstract) watchListing(address, onClosed, options.readListing ?? (() => readFileSync('/proc/net/unix', 'latin1')), options.intervalMs ?? 250)
  })
  socket.resume()
  socket.unref() // never what keeps swarmnet running
}

function watchListing(name: string, onClosed: () => void, readListing: () => string, intervalMs: number): void {
  if (isListed(name, readListing) !== true) return // not there (docker gone already, or no /proc): nothing to watch
  const timer = setInterval(() => {
    if (isListed(name, readListing) !== false) return
    clearInterval(timer)
    onClosed()
  }, intervalMs)
  timer.unref()
}

/** Whether /proc/net/unix lists the socket (its path is the last column); undefined when unreadable. */
function isListed(name: string, readListing: () => string): boolean | undefined {
  try {
    return readListing().split('\n').some((line) => line.endsWith(` ${name}`))
  } catch {
    return undefined
  }
}
