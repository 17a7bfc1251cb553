import {existsSync} from 'node:fs'

import {SwarmnetError, oneLine} from '../core/errors.js'
import {BRIDGE, FIREWALL_COMMENT, type NodeLayout, bridgeAddress} from './layout.js'
import {run} from './system.js'

/** The rule that lets bridged traffic between nodes through a host FORWARD policy of DROP (a host dockerd sets one). */
const FORWARD_RULE = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-m', 'comment', '--comment', FIREWALL_COMMENT, '-j', 'ACCEPT']

export function netnsPath(node: NodeLayout): string {
  return `/run/netns/${node.netns}`
}

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name], {allowFail: true})).code === 0
}

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`)
}

/** The host bridge, with the lab's first address, and the firewall rule for it. */
export async function createBridge(subnet: string): Promise<void> {
  const prefix = subnet.split('/')[1]
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge'])
  await run('ip', ['addr', 'add', `${bridgeAddress(subnet)}/${prefix}`, 'dev', BRIDGE])
  await run('ip', ['link', 'set', BRIDGE, 'up'])
  await run('iptables', ['-I', ...FORWARD_RULE])
}

/** A node's network namespace: a veth to the bridge, its address, loopback, and no default route. */
export async function createNodeNetwork(node: NodeLayout, subnet: string): Promise<void> {
  const prefix = subnet.split('/')[1]
  await run('ip', ['netns', 'add', node.netns])
  await run('ip', ['link', 'add', node.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns])
  await run('ip', ['link', 'set', node.veth, 'master', BRIDGE, 'up'])
  await run('ip', ['-n', node.netns, 'addr', 'add', `${node.ip}/${prefix}`, 'dev', 'eth0'])
  await run('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up'])
  await run('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up'])
}

export async function removeNodeNetwork(node: NodeLayout): Promise<void> {
  if (netnsExists(node.netns)) await run('ip', ['netns', 'del', node.netns])
  // Deleting the namespace removes the veth pair asynchronously: it may vanish between check and delete.
  if (await linkExists(node.veth)) {
    const deleted = await run('ip', ['link', 'del', node.veth], {allowFail: true})
    if (deleted.code !== 0 && (await linkExists(node.veth))) throw new SwarmnetError(`ip link del ${node.veth}: ${oneLine(deleted.stderr)}`)
  }
}

export async function removeBridge(): Promise<void> {
  if (await linkExists(BRIDGE)) await run('ip', ['link', 'del', BRIDGE])
  // The rule may have been inserted more than once by runs killed half-way.
  while ((await run('iptables', ['-D', ...FORWARD_RULE], {allowFail: true})).code === 0);
}

export async function firewallRuleExists(): Promise<boolean> {
  return (await run('iptables', ['-C', ...FORWARD_RULE], {allowFail: true})).code === 0
}

/** Refuses a subnet some other interface already routes: the lab must not shadow a real network. */
export async function checkSubnetFree(subnet: string): Promise<void> {
  const {stdout} = await run('ip', ['-4', 'route', 'show', 'to', 'match', subnet.split('/')[0]])
  const clash = stdout.split('\n').find((line) => line.trim() && !line.startsWith('default') && !line.includes(`dev ${BRIDGE}`))
  if (clash) throw new SwarmnetError(`the lab's subnet ${subnet} is already routed on this machine (${clash.trim()}); pick another with --subnet`)
}
