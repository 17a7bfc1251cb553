import {expect} from 'chai'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {swarmnet} from '../helpers/cli.js'
import {tempDir} from '../helpers/fixtures.js'
import {docker, labVars, nodeSocket} from '../helpers/lab.js'

/** Known before the cases are listed, so a case can name it. */
const BAD_SSH_CONFIG = path.join(os.tmpdir(), `swarmnet-bad-ssh-config-${process.pid}`)

/**
 * Bad input gets one clear line on stderr naming the bad value and what was expected, exit 2 for
 * usage errors and 1 for runtime failures, and changes nothing on the cluster.
 */
describe('bad input: one-line errors, exit codes, nothing changed', () => {
  let tmp: ReturnType<typeof tempDir>
  let lab: Record<string, string | undefined>

  before(async () => {
    tmp = tempDir()
    lab = await labVars()
    mkdirSync(path.join(tmp.dir, 'broken'))
    writeFileSync(path.join(tmp.dir, 'broken', 'config.json'), '{"currentContext": ')
    mkdirSync(path.join(tmp.dir, 'machines-store', 'machines', 'broken'), {recursive: true})
    writeFileSync(path.join(tmp.dir, 'machines-store', 'machines', 'broken', 'config.json'), '{\n  "Driver": {\n    "IPAddress": ,\n  }\n}\n')
    writeFileSync(BAD_SSH_CONFIG, 'Host *\n  Port abc\n')
  })
  after(async () => {
    tmp.remove()
    rmSync(BAD_SSH_CONFIG, {force: true})
    // None of the refused creations happened.
    const made = await docker(['network', 'ls', '--format', '{{.Name}}', '--filter', 'name=^(x|a)$'], lab)
    expect(made.stdout).to.equal('')
  })

  const manager = nodeSocket('node-1')
  const cases: {name: string; args: string[]; env?: () => Record<string, string | undefined>; code: number; error: RegExp}[] = [
    {name: 'malformed DOCKER_HOST', args: ['node', 'ls'], env: () => ({DOCKER_HOST: 'http://10.213.0.11:2375'}), code: 2, error: /^invalid DOCKER_HOST "http:\/\/10\.213\.0\.11:2375": unsupported scheme "http"; expected unix:\/\/\/path, tcp:\/\/host:port or ssh:\/\/\[user@\]host\[:port\]$/},
    {name: 'DOCKER_HOST without a host', args: ['node', 'ls'], env: () => ({DOCKER_HOST: 'tcp://'}), code: 2, error: /^invalid DOCKER_HOST "tcp:\/\/": /},
    {name: 'relative unix socket in --host', args: ['node', 'ls', '-H', 'unix://docker.sock'], code: 2, error: /^invalid --host "unix:\/\/docker\.sock": the socket path must be absolute/},
    {name: 'unknown context', args: ['node', 'ls', '--context', 'prod'], env: () => ({DOCKER_CONFIG: '/var/lib/swarmnet-lab/docker'}), code: 2, error: /^unknown Docker context "prod" in \/var\/lib\/swarmnet-lab\/docker; known contexts: default, node-1, node-2, node-3$/},
    {name: 'unknown DOCKER_CONTEXT', args: ['network', 'ls'], env: () => ({DOCKER_CONTEXT: 'nope', DOCKER_CONFIG: '/var/lib/swarmnet-lab/docker'}), code: 2, error: /^unknown Docker context "nope"/},
    {name: 'unknown machine', args: ['node', 'ls', '--machine', 'node-9'], env: () => ({MACHINE_STORAGE_PATH: '/var/lib/swarmnet-lab/machine'}), code: 2, error: /^unknown docker-machine machine "node-9" in \/var\/lib\/swarmnet-lab\/machine; known machines: node-1, node-2, node-3$/},
    {name: '--host with --context', args: ['node', 'ls', '-H', manager, '--context', 'node-1'], code: 2, error: /^conflicting options: --host and --context; give only one of --host, --context or --machine$/},
    {name: 'missing cert file', args: ['node', 'ls'], env: () => ({DOCKER_HOST: 'tcp://10.213.0.11:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/certs'}), code: 2, error: /^missing TLS file \/nonexistent\/certs\/ca\.pem \(from DOCKER_CERT_PATH\); expected ca\.pem, cert\.pem and key\.pem there$/},
    {name: 'malformed config.json', args: ['node', 'ls'], env: () => ({DOCKER_CONFIG: path.join(tmp.dir, 'broken')}), code: 2, error: /broken\/config\.json is not valid JSON$/},
    {name: 'no such socket', args: ['node', 'ls', '-H', 'unix:///run/nothing-here.sock'], code: 1, error: /^unix:\/\/\/run\/nothing-here\.sock: list nodes: no such socket$/},
    {name: 'connection refused', args: ['node', 'ls', '-H', 'tcp://10.213.0.11:2999'], code: 1, error: /^tcp:\/\/10\.213\.0\.11:2999: list nodes: connection refused$/},
    {name: 'TLS engine spoken to in plain HTTP', args: ['node', 'ls', '-H', 'tcp://10.213.0.11:2376'], code: 1, error: /the engine speaks TLS; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH/},
    {name: 'bad --timeout', args: ['node', 'ls', '-H', manager, '--timeout', 'soon'], code: 2, error: /^invalid --timeout "soon": expected a duration like 10s, 500ms or 2m/},
    {name: 'unknown node', args: ['node', 'ip', 'node-9', '-H', manager], code: 2, error: /^unknown node "node-9"; the swarm's nodes are node-1, node-2, node-3$/},
    {name: 'unknown shell', args: ['node', 'env', 'node-2', '--shell', 'csh', '-H', manager], code: 2, error: /^unknown shell "csh"; expected one of bash, zsh, sh, fish, powershell$/},
    {name: 'network name with a slash', args: ['network', 'create', 'a/b', '-H', manager], code: 2, error: /^invalid network name "a\/b"/},
    {name: 'subnet that is not CIDR', args: ['network', 'create', 'x', '--subnet', '10.0.0.0/40', '-H', manager], code: 2, error: /^invalid --subnet "10\.0\.0\.0\/40": expected CIDR notation like 10\.0\.9\.0\/24$/},
    {name: 'gateway outside the subnet', args: ['network', 'create', 'x', '--subnet', '10.0.9.0/24', '--gateway', '10.0.8.1', '-H', manager], code: 2, error: /^invalid --gateway "10\.0\.8\.1": not inside --subnet 10\.0\.9\.0\/24$/},
    {name: 'bad input is refused before connecting anywhere', args: ['network', 'create', 'ok', '--mtu', '5', '-H', 'tcp://10.213.0.99:2375'], code: 2, error: /^invalid --mtu "5": expected a whole number from 68 to 65535$/},
    {name: 'MTU that is not a number', args: ['network', 'create', 'x', '--mtu', 'big', '-H', manager], code: 2, error: /^invalid --mtu "big": expected a whole number from 68 to 65535$/},
    {name: 'label without =', args: ['network', 'create', 'x', '--label', 'team', '-H', manager], code: 2, error: /^invalid --label "team": expected KEY=VALUE$/},
    {name: 'unknown network', args: ['network', 'inspect', 'nope', '-H', manager], code: 2, error: /^unknown overlay network "nope"; overlay networks are /},
    {name: 'a network that is not an overlay', args: ['network', 'inspect', 'bridge', '-H', manager], code: 2, error: /^unknown overlay network "bridge"; overlay networks are /},
    {name: 'malformed docker-machine config', args: ['node', 'ls', '--machine', 'broken'], env: () => ({MACHINE_STORAGE_PATH: path.join(tmp.dir, 'machines-store')}), code: 2, error: /machines\/broken\/config\.json is not a valid docker-machine config \(not JSON\)$/},
    {name: 'missing NAME without a terminal', args: ['network', 'create', '-H', manager], code: 2, error: /^missing argument NAME; pass it on the command line \(no terminal to ask on\)$/},
    {name: 'unexpected extra argument', args: ['network', 'inspect', 'a', 'b', '-H', manager], code: 2, error: /^Unexpected argument: b \(see --help\)$/},
    {name: 'unknown command', args: ['nod', 'ls'], code: 2, error: /^unknown command "nod ls"; did you mean "node ls"\? see swarmnet --help$/},
    {name: 'unknown flag', args: ['node', 'ls', '--colour'], code: 2, error: /^Nonexistent flag: --colour/},
    {name: 'lab with no nodes', args: ['lab', 'up', '--nodes', '0'], code: 2, error: /^invalid --nodes "0": expected a whole number from 1 to 9$/},
    {name: 'more managers than nodes', args: ['lab', 'up', '--managers', '4'], code: 2, error: /^invalid --managers "4": expected a whole number from 1 to --nodes \(3\)$/},
    {name: 'lab subnet that is not a /24', args: ['lab', 'up', '--subnet', '10.9.0.0/16'], code: 2, error: /^invalid --subnet "10\.9\.0\.0\/16": expected an IPv4 \/24 like 10\.213\.0\.0\/24$/},
    {name: 'missing SWARMNET_CONFIG file', args: ['node', 'env', 'node-2', '-H', manager], env: () => ({SWARMNET_CONFIG: '/nonexistent.json'}), code: 2, error: /^invalid SWARMNET_CONFIG "\/nonexistent\.json": expected a readable swarmnet config file \(JSON\) \(no such file\)$/},
    {name: 'missing SWARMNET_CONFIG file, for a command that never reads it', args: ['node', 'ls', '-H', manager], env: () => ({SWARMNET_CONFIG: '/nonexistent.json'}), code: 2, error: /^invalid SWARMNET_CONFIG "\/nonexistent\.json": /},
    {name: 'missing --ssh-config file', args: ['node', 'ls', '-H', 'ssh://node-1', '--ssh-config', '/nonexistent/ssh_config'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/ssh_config": expected a readable ssh_config file, or "none" \(no such file\)$/},
    // Issue 13: commands that need no SSH check the file all the same, before connecting.
    {name: 'missing --ssh-config file, for a command that needs no SSH', args: ['node', 'ls', '-H', manager, '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/},
    {name: 'missing SWARMNET_SSH_CONFIG file: the variable is named', args: ['network', 'ls', '-H', manager], env: () => ({SWARMNET_SSH_CONFIG: '/nonexistent/file'}), code: 2, error: /^invalid SWARMNET_SSH_CONFIG "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/},
    {name: 'a directory as --ssh-config', args: ['node', 'ls', '-H', manager, '--ssh-config', '/tmp'], code: 2, error: /^invalid --ssh-config "\/tmp": expected a readable ssh_config file, or "none" \(not a regular file\)$/},
    {name: 'an ssh config with a bad value, read once before connecting', args: ['node', 'ls', '-H', manager, '--ssh-config', BAD_SSH_CONFIG], env: () => ({}), code: 2, error: /^invalid Port "abc" in .*swarmnet-bad-ssh-config-\d+; expected a number from 1 to 65535$/},
    {name: 'doctor with a missing --ssh-config: one line, not one per node', args: ['doctor', '-H', manager, '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": /},
    {name: 'bad SWARMNET_TIMEOUT: the variable is named', args: ['network', 'ls', '-H', manager], env: () => ({SWARMNET_TIMEOUT: 'soon'}), code: 2, error: /^invalid SWARMNET_TIMEOUT "soon": expected a duration like 10s/},
    {name: 'a connection flag given to a lab command', args: ['lab', 'status', '--ssh-config', '/nonexistent/file'], code: 2, error: /^--ssh-config does not apply to `lab status`: it works on this machine, not through a Docker engine$/},
    {name: '--host given to a lab command', args: ['lab', 'env', '-H', manager], code: 2, error: /^--host does not apply to `lab env`: /},
    {name: 'lab --nodes that is no number', args: ['lab', 'up', '--nodes', 'abc'], code: 2, error: /^invalid --nodes "abc": expected a whole number from 1 to 9$/},
  ]

  for (const c of cases) {
    it(`${c.name}: exit ${c.code}`, async () => {
      const result = await swarmnet(c.args, {env: c.env?.() ?? {}, timeoutMs: 20_000})
      expect(result.code, result.stderr).to.equal(c.code)
      expect(result.stdout).to.equal('')
      const lines = result.stderr.trimEnd().split('\n')
      expect(lines, result.stderr).to.have.length(1)
      expect(lines[0].startsWith('Error: '), lines[0]).to.equal(true)
      expect(lines[0].slice('Error: '.length)).to.match(c.error)
    })
  }

  it('a missing --ssh-config under --json: the envelope on stdout, nothing on stderr', async () => {
    const result = await swarmnet(['node', 'ls', '-H', manager, '--ssh-config', '/nonexistent/file', '--json'])
    expect([result.code, result.stderr]).to.deep.equal([2, ''])
    expect(result.json).to.deep.equal({error: {message: 'invalid --ssh-config "/nonexistent/file": expected a readable ssh_config file, or "none" (no such file)', code: 'EUSAGE', exitCode: 2}})
  })

  it('errors come out as JSON on stdout under --json', async () => {
    const result = await swarmnet(['node', 'ip', 'node-9', '-H', manager, '--json'])
    expect(result.code).to.equal(2)
    expect(result.json).to.deep.equal({error: {message: 'unknown node "node-9"; the swarm\'s nodes are node-1, node-2, node-3', code: 'EUSAGE', exitCode: 2}})
  })
})
