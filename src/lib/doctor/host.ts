/**
 * The node's host side, as one section of the facts script: its routes, its kernel tables' fill,
 * the kernel log's overflow lines, IPVS's idle timeout against TCP keepalive, and VMware NICs'
 * offloads. A part prints nothing where its file or tool is absent, so a node shows what it has.
 */

/** Needs $er (Docker's exec root) from the facts script's EXEC_ROOT part, for the IPVS namespaces. */
export const HOST_SECTION = String.raw`
section host
echo '## routes'; ip -o -4 route show table all 2>/dev/null
echo '## conntrack'; cat /proc/sys/net/netfilter/nf_conntrack_count /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null | tr '\n' ' '; echo
echo '## neigh'; echo "$(ip -4 neigh show 2>/dev/null | wc -l) $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh1 /proc/sys/net/ipv4/neigh/default/gc_thresh2 /proc/sys/net/ipv4/neigh/default/gc_thresh3 2>/dev/null | tr '\n' ' ')"
echo '## kernlog'; cut -d' ' -f1 /proc/uptime; (dmesg 2>/dev/null || asroot dmesg 2>/dev/null) | grep -E 'table full|table overflow' | tail -n 5
echo '## keepalive'; cat /proc/sys/net/ipv4/tcp_keepalive_time 2>/dev/null
echo '## ipvs-timeout'; if command -v ipvsadm >/dev/null 2>&1; then for ns in $er/netns/ingress_sbox $er/netns/lb_*; do [ -e "$ns" ] && echo "$[ns##*/} $(asroot nsenter --net="$ns" ipvsadm -l --timeout 2>&1 | head -n 1)"; done; fi
echo '## nics'; for d in /sys/class/net/*/device/driver; do [ -e "$d" ] || continue; i=$[d#/sys/class/net/}; i=$[i%%/*}; drv=$(basename "$(readlink "$d")"); echo "nic $i $drv"; if [ "$drv" = vmxnet3 ] && command -v ethtool >/dev/null 2>&1; then ethtool -k "$i" 2>/dev/null | grep -E '^[[:space:]]*(tx-checksumming|tx-checksum-ip-generic|tx-udp_tnl-segmentation|tx-udp_tnl-csum-segmentation):'; fi; done
`.replaceAll('$[', '${') // $[ stands for the shell's ${, which a template literal would take

export interface Route {
  /** "10.1.0.0/16", a host route as "/32". */
  destination: string
  type: string
  dev?: string
  via?: string
  table?: string
  raw: string
}

export interface HostFacts {
  routes: Route[]
  conntrack?: {count: number; max: number}
  /** Entries in the neighbour table, and the kernel's gc_thresh1..3 when this namespace shows them. */
  neighbours?: {count: number; thresholds?: [number, number, number]}
  /** Seconds since boot, to tell how old a kernel log line is. */
  uptime?: number
  /** "table full" / "table overflow" lines of the kernel log, with their time since boot when stamped. */
  overflows: {at?: number; line: string}[]
  /** net.ipv4.tcp_keepalive_time, seconds. */
  keepalive?: number
  /** IPVS's timeouts per namespace that has IPVS services (ingress_sbox, lb_<net>), seconds. */
  ipvsTimeouts: {namespace: string; tcp: number; tcpfin: number; udp: number}[]
  /** Network devices with a driver, and for vmxnet3 their offload features ("on" / "off"). */
  nics: {iface: string; driver: string; features: Record<string, string>}[]
}

/** Route types that carry (or refuse) traffic to a range; local, broadcast and the like are the kernel's own. */
const ROUTE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw']
const OTHER_TYPES = ['local', 'broadcast', 'multicast', 'anycast', 'nat']

export function parseHost(text: string): HostFacts {
  const parts = new Map<string, string[]>()
  let current = ''
  for (const line of text.split('\n')) {
    const marker = /^## (\S+)$/.exec(line)
    if (marker) parts.set((current = marker[1]), [])
    else if (current && line.trim()) parts.get(current)!.push(line.trim())
  }

  const part = (name: string) => parts.get(name) ?? []
  const numbers = (line = '') => line.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isFinite(n))
  const conntrack = numbers(part('conntrack')[0])
  const neigh = numbers(part('neigh')[0])
  const [uptimeLine, ...logLines] = part('kernlog')
  const uptime = Number(uptimeLine)
  const keepalive = Number(part('keepalive')[0])
  return {
    routes: part('routes').flatMap((line) => parseRoute(line) ?? []),
    ...(conntrack.length === 2 ? {conntrack: {count: conntrack[0], max: conntrack[1]}} : {}),
    ...(neigh.length > 0 ? {neighbours: {count: neigh[0], ...(neigh.length === 4 ? {thresholds: [neigh[1], neigh[2], neigh[3]] as [number, number, number]} : {})}} : {}),
    ...(Number.isFinite(uptime) && uptimeLine ? {uptime} : {}),
    overflows: logLines.map((line) => {
      const stamp = /^\[\s*([\d.]+)\]/.exec(line)
      return stamp ? {at: Number(stamp[1]), line} : {line}
    }),
    ...(part('keepalive')[0] && Number.isFinite(keepalive) ? {keepalive} : {}),
    ipvsTimeouts: part('ipvs-timeout').flatMap((line) => {
      const m = /^(\S+) Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(line)
      return m ? [{namespace: m[1], tcp: Number(m[2]), tcpfin: Number(m[3]), udp: Number(m[4])}] : []
    }),
    nics: parseNics(part('nics')),
  }
}

/** One line of `ip -o -4 route show table all`; undefined for the kernel's own kinds and the default route. */
export function parseRoute(line: string): Route | undefined {
  const words = line.split(/\s+/)
  let type = 'unicast'
  if (ROUTE_TYPES.includes(words[0]) || OTHER_TYPES.includes(words[0])) type = words.shift()!
  const destination = words.shift()
  if (!destination || OTHER_TYPES.includes(type) || destination === 'default' || !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(destination)) return undefined
  const after = (key: string) => {
    const i = words.indexOf(key)
    return i >= 0 ? words[i + 1] : undefined
  }

  const table = after('table')
  if (table === 'local') return undefined
  const [dev, via] = [after('dev'), after('via')]
  return {destination: destination.includes('/') ? destination : `${destination}/32`, type, ...(dev ? {dev} : {}), ...(via ? {via} : {}), ...(table ? {table} : {}), raw: line}
}

function parseNics(lines: string[]): HostFacts['nics'] {
  const nics: HostFacts['nics'] = []
  for (const line of lines) {
    const nic = /^nic (\S+) (\S+)$/.exec(line)
    if (nic) nics.push({iface: nic[1], driver: nic[2], features: {}})
    const feature = /^([\w-]+): (on|off)/.exec(line)
    if (feature && nics.length > 0) nics.at(-1)!.features[feature[1]] = feature[2]
  }

  return nics
}
