import {expect} from 'chai'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {type BadInput, expectRefused} from '../../helpers/bad-input.js'
import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'
import {nodeSocket} from '../../helpers/lab.js'

/** Known before the cases are listed, so a case can name it. */
const BAD_SSH_CONFIG = path.join(os.tmpdir(), `swarmnet-bad-ssh-config-${process.pid}`)

/**
 * Reaching the engines with bad input (the connection flags and variables, contexts, machines,
 * swarmnet's config) gets one clear line on stderr naming the bad value and what was expected, exit
 * 2 for usage errors and 1 for runtime failures.
 */
describe('bad input: one-line errors, exit codes', () => {
  let tmp: ReturnType<typeof tempDir>

  before(() => {
    tmp = tempDir()
    mkdirSync(path.join(tmp.dir, 'broken'))
    writeFileSync(path.join(tmp.dir, 'broken', 'config.json'), '{"currentContext": ')
    mkdirSync(path.join(tmp.dir, 'machines-store', 'machines', 'broken'), {recursive: true})
    writeFileSync(path.join(tmp.dir, 'machines-store', 'machines', 'broken', 'config.json'), '{\n  "Driver": {\n    "IPAddress": ,\n  }\n}\n')
    writeFileSync(BAD_SSH_CONFIG, 'Host *\n  Port abc\n')
  })
  after(() => {
    tmp.remove()
    rmSync(BAD_SSH_CONFIG, {force: true})
  })

  const manager = nodeSocket('node-1')
  const cases: BadInput[] = [
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
    {name: 'malformed docker-machine config', args: ['node', 'ls', '--machine', 'broken'], env: () => ({MACHINE_STORAGE_PATH: path.join(tmp.dir, 'machines-store')}), code: 2, error: /machines\/broken\/config\.json is not a valid docker-machine config \(not JSON\)$/},
    {name: 'unknown command', args: ['nod', 'ls'], code: 2, error: /^unknown command "nod ls"; did you mean "node ls"\? see swarmnet --help$/},
    {name: 'unknown flag', args: ['node', 'ls', '--colour'], code: 2, error: /^Nonexistent flag: --colour/},
    {name: 'missing SWARMNET_CONFIG file', args: ['node', 'env', 'node-2', '-H', manager], env: () => ({SWARMNET_CONFIG: '/nonexistent.json'}), code: 2, error: /^invalid SWARMNET_CONFIG "\/nonexistent\.json": expected a readable swarmnet config file \(JSON\) \(no such file\)$/},
    {name: 'missing SWARMNET_CONFIG file, for a command that never reads it', args: ['node', 'ls', '-H', manager], env: () => ({SWARMNET_CONFIG: '/nonexistent.json'}), code: 2, error: /^invalid SWARMNET_CONFIG "\/nonexistent\.json": /},
    {name: 'missing --ssh-config file', args: ['node', 'ls', '-H', 'ssh://node-1', '--ssh-config', '/nonexistent/ssh_config'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/ssh_config": expected a readable ssh_config file, or "none" \(no such file\)$/},
    // Issue 13: commands that need no SSH check the file all the same, before connecting.
    {name: 'missing --ssh-config file, for a command that needs no SSH', args: ['node', 'ls', '-H', manager, '--ssh-config', '/nonexistent/file'], code: 2, error: /^invalid --ssh-config "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/},
    {name: 'missing SWARMNET_SSH_CONFIG file: the variable is named', args: ['network', 'ls', '-H', manager], env: () => ({SWARMNET_SSH_CONFIG: '/nonexistent/file'}), code: 2, error: /^invalid SWARMNET_SSH_CONFIG "\/nonexistent\/file": expected a readable ssh_config file, or "none" \(no such file\)$/},
    {name: 'a directory as --ssh-config', args: ['node', 'ls', '-H', manager, '--ssh-config', '/tmp'], code: 2, error: /^invalid --ssh-config "\/tmp": expected a readable ssh_config file, or "none" \(not a regular file\)$/},
    {name: 'an ssh config with a bad value, read once before connecting', args: ['node', 'ls', '-H', manager, '--ssh-config', BAD_SSH_CONFIG], env: () => ({}), code: 2, error: /^invalid Port "abc" in .*swarmnet-bad-ssh-config-\d+; expected a number from 1 to 65535$/},
    {name: 'bad SWARMNET_TIMEOUT: the variable is named', args: ['network', 'ls', '-H', manager], env: () => ({SWARMNET_TIMEOUT: 'soon'}), code: 2, error: /^invalid SWARMNET_TIMEOUT "soon": expected a duration like 10s/},
  ]
  for (const c of cases) it(`${c.name}: exit ${c.code}`, () => expectRefused(c))

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
