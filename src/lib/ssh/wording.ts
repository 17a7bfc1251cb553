/** How hosts and files read in swarmnet's SSH messages. */

/** host, or [host] for an IPv6 address, so a port can follow. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** ~/… for paths under the home directory, so hints read like the ssh docs. */
export function tildePath(file: string, home: string): string {
  return file.startsWith(home + '/') ? `~${file.slice(home.length)}` : file
}
