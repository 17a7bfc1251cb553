import type {SshSession} from '../ssh/ssh-client.js'
import {DATAPLANE_SECTION, type DataPlane, EXEC_ROOT, parseDataPlane} from './dataplane.js'
import {HOST_SECTION, type HostFacts, parseHost} from './host.js'

/** What one node says about itself, read over SSH in one round trip. */
export interface NodeFacts {
  /** proc: /proc/net/ip_vs exists; module: loaded; loadable: modprobe would load it; missing. */
  ipvs: 'proc' | 'module' | 'loadable' | 'missing'
  kernel: string
  /** `iptables-save` output, or undefined when it could not be read (with why). */
  iptables?: string
  iptablesError?: string
  /** IPv4 address → interface. */
  addresses: Map<string, string>
  /** Interface → MTU. */
  mtus: Map<string, number>
  ufw: string
  firewalld: string
  /** The ingress sandbox's mangle rules and IPVS table, when the node has one. */
  ingressSbox?: {mangle: string; ipvs: string}
  /** The source address the kernel picks for each peer (`ip route get PEER`): VXLAN's outer source. */
  routes?: Map<string, string>
  /** TCP connects this node tried: "ip:port" → whether it connected. */
  probes: Map<string, boolean>
  /** What encrypted overlays need of the kernel; absent when the script printed no such section. */
  ipsec?: IpsecFacts
  /** The overlays' forwarding and neighbour entries and the sandboxes' addresses, when they could be read. */
  dataPlane?: DataPlane
  /** Routes, kernel tables, IPVS timeouts and NICs, when the script printed that section. */
  host?: HostFacts
}

/** The kernel's IPsec, which `--opt encrypted` overlays need (ESP with AES-GCM, over xfrm). */
export interface IpsecFacts {
  /** ESP for IPv4: built in, a loaded module (esp4), a module modprobe would load, missing, or unknown (no config, no modprobe). */
  esp: 'builtin' | 'module' | 'loadable' | 'missing' | 'unknown'
  /** The xfrm netlink interface Docker programs the keys through: answers, absent, or unknown (could not ask). */
  xfrm: 'yes' | 'no' | 'unknown'
  /** AES-GCM (Docker's rfc4106(gcm(aes))), when the kernel's config says. */
  gcm?: boolean
  /** Security associations in the node's namespace (`ip xfrm state count`): Docker adds them per peer of an encrypted overlay. */
  states?: number
  /** Why `ip xfrm state count` failed, when it did. */
  xfrmError?: string
}

/**
 * One script, so a node costs one SSH exec: each section prints its marker then its output.
 * Privileged reads go through sudo -n when not root (never prompting).
 */
const SCRIPT = String.raw`
section() { echo "### $1"; }
asroot() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
section ipvs
if [ -e /proc/net/ip_vs ]; then echo proc; elif [ -d /sys/module/ip_vs ]; then echo module; elif modprobe -n ip_vs >/dev/null 2>&1; then echo loadable; else echo missing; fi
section kernel
uname -r
section iptables
asroot iptables-save 2>&1; echo "rc=$?"
section addr
ip -o -4 addr show
section link
ip -o link show
section ufw
if command -v ufw >/dev/null 2>&1; then asroot ufw status 2>&1; else echo absent; fi
section firewalld
if command -v firewall-cmd >/dev/null 2>&1; then firewall-cmd --state 2>&1; asroot firewall-cmd --list-ports 2>&1; else echo absent; fi
${EXEC_ROOT}
section sbox
if [ -e $er/netns/ingress_sbox ]; then asroot nsenter --net=$er/netns/ingress_sbox iptables-save -t mangle 2>&1; echo "--- ipvs"; asroot nsenter --net=$er/netns/ingress_sbox cat /proc/net/ip_vs 2>&1; else echo absent; fi
${DATAPLANE_SECTION}
${HOST_SECTION}
section ipsec
( (zcat /proc/config.gz || cat "/boot/config-$(uname -r)") 2>/dev/null ) | grep -E '^(# )?CONFIG_(INET_ESP|XFRM_USER|CRYPTO_GCM)[= ]'
if [ -d /sys/module/esp4 ]; then echo 'esp4 module'; fi
if command -v modprobe >/dev/null 2>&1; then if modprobe -n esp4 >/dev/null 2>&1; then echo 'esp4 loadable'; else echo 'esp4 not-loadable'; fi; fi
echo "xfrm $(asroot ip xfrm state count 2>&1 | head -n 1)"
section routes
# The source address each peer's packets leave with: VXLAN's outer source follows it (moby/moby#47389).
for ip in $(for t in "$@"; do echo "$[t%:*}"; done | sort -u); do ip -o route get "$ip" 2>&1 | head -n 1; done
section probes
# All at once: a node's time is its slowest probe, not the sum over its peers.
for t in "$@"; do (
  ip=$[t%:*}; port=$[t#*:}
  if command -v bash >/dev/null 2>&1; then timeout 3 bash -c "</dev/tcp/$ip/$port" >/dev/null 2>&1; r=$?
  elif command -v nc >/dev/null 2>&1; then nc -z -w 3 "$ip" "$port" >/dev/null 2>&1; r=$?
  else r=127; fi
  echo "$ip:$port $r"
) & done
wait
`.replaceAll('$[', '${') // $[ stands for the shell's ${, which a template literal would take

/** Single-quotes a word for the remote shell. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`
}

export async function readFacts(session: SshSession, probes: string[], timeoutMs: number): Promise<NodeFacts> {
  const command = ['sh', '-c', SCRIPT, 'swarmnet-doctor', ...probes].map(quote).join(' ')
  const output = await session.exec(command, {timeoutMs: timeoutMs + 4000})
  return parseFacts(output.stdout)
}

export function parseFacts(text: string): NodeFacts {
  const sections = new Map<string, string>()
  for (const part of text.split(/^### /m).slice(1)) {
    const newline = part.indexOf('\n')
    sections.set(part.slice(0, newline).trim(), part.slice(newline + 1))
  }

  const get = (name: string) => (sections.get(name) ?? '').trim()
  const ipvs = get('ipvs') as NodeFacts['ipvs']
  const iptables = get('iptables')
  const iptablesOk = /\nrc=0$/.test(`\n${iptables}`) && iptables.includes('*filter')
  const sbox = get('sbox')
  const dataPlane = parseDataPlane(get('dataplane'))
  return {
    ipvs: ['proc', 'module', 'loadable'].includes(ipvs) ? ipvs : 'missing',
    kernel: get('kernel'),
    // The rc line may be the only line (nothing printed), so it need not follow a newline.
    ...(iptablesOk ? {iptables} : {iptablesError: iptables.replace(/(?:^|\n)rc=\d+$/, '').split('\n')[0] || 'no output'}),
    addresses: new Map([...get('addr').matchAll(/^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//gm)].map((m) => [m[2], m[1]])),
    mtus: new Map([...get('link').matchAll(/^\d+:\s+([^:@\s]+)[^:]*:.*?\bmtu (\d+)/gm)].map((m) => [m[1], Number(m[2])])),
    ufw: get('ufw'),
    firewalld: get('firewalld'),
    ...(sbox && sbox !== 'absent' ? {ingressSbox: {mangle: sbox.split('--- ipvs')[0] ?? '', ipvs: sbox.split('--- ipvs')[1] ?? ''}} : {}),
    ...(dataPlane ? {dataPlane} : {}),
    ...(sections.has('routes') ? {routes: parseRoutes(get('routes'))} : {}),
    probes: new Map([...get('probes').matchAll(/^(\S+) (\d+)$/gm)].map((m) => [m[1], m[2] === '0'])),
    ...(sections.has('ipsec') ? {ipsec: parseIpsec(get('ipsec'))} : {}),
    ...(sections.has('host') ? {host: parseHost(get('host'))} : {}),
  }
}

/** `ip -o route get PEER` lines: the peer → the source address the kernel sends to it from. */
export function parseRoutes(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^(?:local\s+)?([\d.]+)\b.*?\bsrc ([\d.]+)/gm)].map((m) => [m[1], m[2]]))
}

/** The ipsec section: kernel config lines (when readable), esp4 as a module, and `ip xfrm state count`. */
export function parseIpsec(text: string): IpsecFacts {
  const config = new Map<string, string>()
  for (const m of text.matchAll(/^CONFIG_(\w+)=(\w+)$/gm)) config.set(m[1], m[2])
  for (const m of text.matchAll(/^# CONFIG_(\w+) is not set$/gm)) config.set(m[1], 'n')
  const loaded = /^esp4 module$/m.test(text)
  const espConfig = config.get('INET_ESP')
  const esp: IpsecFacts['esp'] = espConfig === 'y' ? 'builtin'
    : loaded ? 'module'
      : espConfig === 'n' ? 'missing'
        : /^esp4 loadable$/m.test(text) ? 'loadable'
          : /^esp4 not-loadable$/m.test(text) ? 'missing'
            : espConfig === 'm' ? 'loadable' : 'unknown'
  const xfrmLine = /^xfrm (.*)$/m.exec(text)?.[1].trim() ?? ''
  const count = /SAD count (\d+)/.exec(xfrmLine)
  const gcm = config.get('CRYPTO_GCM')
  const xfrm: IpsecFacts['xfrm'] = count ? 'yes' : config.get('XFRM_USER') === 'n' || /not supported/i.test(xfrmLine) ? 'no' : 'unknown'
  return {esp, xfrm, ...(gcm ? {gcm: gcm !== 'n'} : {}), ...(count ? {states: Number(count[1])} : {}), ...(!count && xfrmLine ? {xfrmError: xfrmLine} : {})}
}
