// The overlay's real path MTU between two nodes: pings of falling sizes from a container on one node
// to a container on the other, across the overlay (moby/moby#41775, #24906). A ping that fits the
// container's interface goes out with don't-fragment set (Linux's default for sockets, PMTUDISC_WANT),
// so one lost at a given size was too big for the VXLAN path, not fragmented on the way.

/** The smallest size tried: IPv4's minimum reassembly size; below it the path is broken, not small. */
export const SMALLEST_PROBE = 576

/** Docker's overlay MTU when the network sets none: 1500 less VXLAN's 50 bytes. */
export const DEFAULT_OVERLAY_MTU = 1450

/**
 * The script a container runs (busybox sh and ping suffice: no -M needed): for each peer address at
 * once, a ping of the full MTU; when it is lost, a binary search for the largest that crosses. Prints
 * "IP SIZE" per peer, SIZE in bytes with the IP header; 0 when not even SMALLEST_PROBE crossed.
 * Arguments: the MTU, then the peers' addresses.
 */
export const PATH_MTU_SCRIPT = String.raw`
mtu=$1; shift
for ip in "$@"; do (
  p() { ping -c 1 -W 1 -s $(($1 - 28)) "$ip" >/dev/null 2>&1; }
  if p $mtu; then echo "$ip $mtu"
  elif ! p ${SMALLEST_PROBE}; then echo "$ip 0"
  else
    lo=${SMALLEST_PROBE}; hi=$mtu
    while [ $((hi - lo)) -gt 1 ]; do mid=$(((lo + hi) / 2)); if p $mid; then lo=$mid; else hi=$mid; fi; done
    echo "$ip $lo"
  fi
) & done
wait
`

/** The script's lines: peer address → the largest packet that crossed (0: none). */
export function parsePathMtu(text: string): Map<string, number> {
  return new Map([...text.matchAll(/^([\d.]+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]))
}

/** The overlay's MTU as Docker sets it on the containers' interfaces. */
export function overlayMtu(options: Record<string, string>): number {
  const configured = Number(options['com.docker.network.driver.mtu'])
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_OVERLAY_MTU
}
