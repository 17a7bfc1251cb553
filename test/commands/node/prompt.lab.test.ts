import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {BIN, cleanEnv, swarmnet} from '../../helpers/cli.js'
import {eventually, nodeSocket, removeServicesAndNetworks} from '../../helpers/lab.js'
import {converse} from '../../helpers/terminal.js'

/** Runs swarmnet on a terminal, typing `keys` once the screen shows `prompt`, or at once when there is none to wait for. */
function onTerminal(args: string[], keys: string, env: NodeJS.ProcessEnv, prompt?: string): Promise<{code: number; screen: string}> {
  return converse(args, [{when: prompt, keys}], env)
}

/** Whether a TCP connect to 10.213.0.99:2375 is under way (SYN sent, no answer) in this network namespace. */
function connectingToNowhere(): boolean {
  // /proc/net/tcp: rem_address is the IPv4 address little-endian in hex, then the port; state 02 is SYN_SENT.
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).some((line) => {
    const [, , remote, state] = line.trim().split(/\s+/)
    return remote === '6300D50A:0947' && state === '02'
  })
}

describe('prompts: only on a terminal, outside CI, always answerable by an argument', () => {
  it('asks which node on a terminal, and prints the chosen one', async function () {
    this.timeout(30_000)
    const env = cleanEnv({CI: undefined})
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\u001B[B\r', env, 'Which node?')
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.include('Which node?')
    expect(result.screen.trim().split('\n').at(-1)).to.equal('10.213.0.12')
  })

  it('asks for a new network name on a terminal, and for which network to inspect', async function () {
    this.timeout(30_000)
    const env = cleanEnv({CI: undefined})
    try {
      const created = await onTerminal(['network', 'create', '-H', nodeSocket('node-1')], 'promptnet\r', env, 'Name of the new overlay network:')
      expect(created.code, created.screen).to.equal(0)
      expect(created.screen).to.match(/Created overlay network promptnet/)
      const listed = (await swarmnet(['network', 'ls', '--json', '-H', nodeSocket('node-1')])).json.map((n: {name: string}) => n.name)
      const index = listed.indexOf('promptnet')
      const inspected = await onTerminal(['network', 'inspect', '-H', nodeSocket('node-1')], `${'\u001B[B'.repeat(index)}\r`, env, 'Which network?')
      expect(inspected.code, inspected.screen).to.equal(0)
      expect(inspected.screen).to.include('Which network?')
      expect(inspected.screen).to.match(/promptnet\s+\w{12}\s+overlay\/swarm/)
    } finally {
      await removeServicesAndNetworks([], ['promptnet'])
    }
  })

  it('lab down asks first and defaults to No', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['lab', 'down'], '\r', cleanEnv({CI: undefined}), 'Remove the lab')
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.match(/Remove the lab \(3 nodes, with every service, container and file in it\)\? \(y\/N\)/)
    expect(result.screen).to.include('Nothing removed.')
    expect((await swarmnet(['lab', 'status', '--json'])).json.running).to.equal(true)
  })

  it('does not prompt when CI is set, even on a terminal', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\r', cleanEnv({CI: '1'}))
    expect(result.code).to.equal(2)
    expect(result.screen).to.include('Error: missing argument NODE; pass it on the command line')
    expect(result.screen).to.not.include('Which node?')
  })

  it('Ctrl-C at the prompt exits 130', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\u0003', cleanEnv({CI: undefined}), 'Which node?')
    expect(result.code).to.equal(130)
  })

  it('SIGINT during a wait exits 130', async function () {
    this.timeout(30_000)
    const child = spawn(process.execPath, [BIN, 'node', 'ls', '-H', 'tcp://10.213.0.99:2375', '--timeout', '20s'], {env: cleanEnv()})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    // Sent while it waits for the engine: once its connect is under way (its SIGINT handler is set long before).
    await eventually('the CLI is connecting to 10.213.0.99:2375', connectingToNowhere, 15_000, 10)
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).to.equal(130)
    expect(stderr).to.include('interrupted')
  })

  it('a usage error from the same command without a terminal is immediate', async () => {
    const result = await swarmnet(['node', 'env', '-H', nodeSocket('node-1')])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.equal('Error: missing argument NODE; pass it on the command line (no terminal to ask on)\n')
  })
})
