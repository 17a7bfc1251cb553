// The overlay's real path MTU between two nodes: pings of falling sizes from a container on one node
// to a container on the other, across the overlay (moby/moby#41775, #24906). busybox ping has no -M
// do, but a ping that fits the container's interface leaves with don't-fragment set (Linux's default,
// PMTUDISC_WANT), so a lost one was too big for the path. Once the kernel has learnt a smaller path
// MTU (VXLAN answers a too-big packet with ICMP), it fragments instead and the ping gets through: so
// a ping counts only when the container's fragment counter (FragOKs, /proc/net/snmp) did not move.

/** The smallest size tried: IPv4's minimum reassembly size; below it the path is broken, not small. */
export const SMALLEST_PROBE = 576

/** Docker's overlay MTU when the network sets none: 1500 less VXLAN's 50 bytes. */
export const DEFAULT_OVERLAY_MTU = 1450

/**
 * The script a container runs (busybox sh, awk and ping suffice). First a ping of the full MTU to
 * every peer at once: those answered whole, with no fragment made meanwhile, carry the MTU. Then, peer
 * after peer (the fragment counter is the container's), a binary search for the largest ping that
 * crosses whole. Prints "IP SIZE" per peer, SIZE in bytes with the IP header; 0 when not even
 * SMALLEST_PROBE crossed. Arguments: the MTU, then the peers' addresses.
 */
export const PATH_MTU_SCRIPT = String.raw`
mtu=$1; shift
frags() { awk '/^Ip:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "FragOKs") c = i } else print $c }' /proc/net/snmp 2>/dev/null; }
p() { f=$(frags); ping -c 1 -W 1 -s $(($1 - 28)) "$ip" >/dev/null 2>&1 && [ "$(frags)" = "$f" ]; }
f=$(frags)
whole=$(for ip in "$@"; do (ping -c 1 -W 1 -s $((mtu - 28)) "$ip" >/dev/null 2>&1 && echo "$ip") & done; wait)
[ "$(frags)" = "$f" ] || whole=
for ip in "$@"; do
  if echo "$whole" | grep -qx "$ip"; then echo "$ip $mtu"
  elif ! p ${SMALLEST_PROBE}; then echo "$ip 0"
  else
    lo=${SMALLEST_PROBE}; hi=$mtu
    while [ $((hi - lo)) -gt 1 ]; do mid=$(((lo + hi) / 2)); if p $mid; then lo=$mid; else hi=$mid; fi; done
    echo "$ip $lo"
  fi
done
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
