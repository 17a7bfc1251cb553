import {expect} from 'chai'
import {spawn} from 'node:child_process'

import {BIN, cleanEnv, swarmnet} from '../../helpers/cli.js'
import {nodeSocket, removeServicesAndNetworks} from '../../helpers/lab.js'

/** Runs swarmnet on a real pseudo-terminal (util-linux `script`), typing `keys` after `delayMs`. */
function onTerminal(args: string[], keys: string, env: NodeJS.ProcessEnv, delayMs = 1500): Promise<{code: number; screen: string}> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let screen = ''
    child.stdout.on('data', (d) => (screen += d))
    child.on('error', reject)
    const typing = setTimeout(() => child.stdin.write(keys), delayMs)
    child.on('close', (code) => {
      clearTimeout(typing)
      // eslint-disable-next-line no-control-regex
      resolve({code: code ?? 1, screen: screen.replaceAll('\r', '').replaceAll(/\u001B\[[0-9;?]*[a-zA-Z]/g, '')})
    })
  })
}

describe('prompts: only on a terminal, outside CI, always answerable by an argument', () => {
  it('asks which node on a terminal, and prints the chosen one', async function () {
    this.timeout(30_000)
    const env = cleanEnv({CI: undefined})
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\u001B[B\r', env)
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.include('Which node?')
    expect(result.screen.trim().split('\n').at(-1)).to.equal('10.213.0.12')
  })

  it('asks for a new network name on a terminal, and for which network to inspect', async function () {
    this.timeout(30_000)
    const env = cleanEnv({CI: undefined})
    try {
      const created = await onTerminal(['network', 'create', '-H', nodeSocket('node-1')], 'promptnet\r', env)
      expect(created.code, created.screen).to.equal(0)
      expect(created.screen).to.match(/Created overlay network promptnet/)
      const listed = (await swarmnet(['network', 'ls', '--json', '-H', nodeSocket('node-1')])).json.map((n: {name: string}) => n.name)
      const index = listed.indexOf('promptnet')
      const inspected = await onTerminal(['network', 'inspect', '-H', nodeSocket('node-1')], `${'\u001B[B'.repeat(index)}\r`, env)
      expect(inspected.code, inspected.screen).to.equal(0)
      expect(inspected.screen).to.include('Which network?')
      expect(inspected.screen).to.match(/promptnet\s+\w{12}\s+overlay\/swarm/)
    } finally {
      await removeServicesAndNetworks([], ['promptnet'])
    }
  })

  it('lab down asks first and defaults to No', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['lab', 'down'], '\r', cleanEnv({CI: undefined}))
    expect(result.code, result.screen).to.equal(0)
    expect(result.screen).to.match(/Remove the lab \(3 nodes, with every service, container and file in it\)\? \(y\/N\)/)
    expect(result.screen).to.include('Nothing removed.')
    expect((await swarmnet(['lab', 'status', '--json'])).json.running).to.equal(true)
  })

  it('does not prompt when CI is set, even on a terminal', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\r', cleanEnv({CI: '1'}), 0)
    expect(result.code).to.equal(2)
    expect(result.screen).to.include('Error: missing argument NODE; pass it on the command line')
    expect(result.screen).to.not.include('Which node?')
  })

  it('Ctrl-C at the prompt exits 130', async function () {
    this.timeout(30_000)
    const result = await onTerminal(['node', 'ip', '-H', nodeSocket('node-1')], '\u0003', cleanEnv({CI: undefined}))
    expect(result.code).to.equal(130)
  })

  it('SIGINT during a wait exits 130', async function () {
    this.timeout(30_000)
    const child = spawn(process.execPath, [BIN, 'node', 'ls', '-H', 'tcp://10.213.0.99:2375', '--timeout', '20s'], {env: cleanEnv()})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    setTimeout(() => child.kill('SIGINT'), 1500)
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
