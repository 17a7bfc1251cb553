import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {swarmnet} from './cli.js'
import {onNode, removeServicesAndNetworks} from './lab.js'
import {createService, running} from './proxy-lab.js'

export interface DoctorCheck {name: string; status: string; detail: string; hint?: string}
export interface DoctorRow {node: string; checks: DoctorCheck[]}

/** doctor --json (exit 0 or 1), its per-node rows. */
export async function doctorRows(env: Record<string, string | undefined>, args: string[]): Promise<DoctorRow[]> {
  const result = await swarmnet(['doctor', ...args, '--json'], {env, timeoutMs: 120_000})
  const body = result.json?.error?.details ?? result.json
  expect(body?.nodes, result.stdout + result.stderr).to.be.an('array')
  return body.nodes
}

/** The check of a family ("vxlan" finds "vxlan 4790/udp") on a node's row. */
export function checkOf(rows: DoctorRow[], node: string, family: string): DoctorCheck {
  const found = rows.find((r) => r.node === node)?.checks.find((c) => c.name.split(' ')[0] === family)
  expect(found, `${node} ${family}`).to.not.equal(undefined)
  return found!
}

/** A command inside a lab node's network namespace (swarmnet-node-N); `tolerant` ignores its failure. */
export function inNode(node: string, args: string[], tolerant = false): void {
  try {
    execFileSync('ip', ['netns', 'exec', `swarmnet-${node}`, ...args], {stdio: 'pipe'})
  } catch (error) {
    if (!tolerant) throw error
  }
}

/** A global go-demo service on its own overlay: a container on every node to probe between. */
export async function globalOnOverlay(service: string, network: string): Promise<void> {
  await removeServicesAndNetworks([service], [network])
  await onNode('node-1', ['network', 'create', '-d', 'overlay', network])
  await createService(service, ['--mode', 'global', '--network', network, '--endpoint-mode', 'dnsrr'])
  await running(service, 3)
}
