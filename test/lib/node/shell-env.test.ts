import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {UsageError} from '../../../src/lib/core/errors.js'
import {pickShell, renderEnv} from '../../../src/lib/node/shell-env.js'

describe('shell-env', () => {
  const vars: [string, string | null][] = [['DOCKER_HOST', 'tcp://10.0.0.1:2376'], ['DOCKER_CERT_PATH', "/tmp/it's here"], ['DOCKER_CONTEXT', null]]

  it('prints bash lines that bash itself reads back exactly', () => {
    const script = `DOCKER_CONTEXT=stale\n${renderEnv(vars, 'bash', 'swarmnet node env n')}\nprintf '%s|%s|%s' "$DOCKER_HOST" "$DOCKER_CERT_PATH" "\${DOCKER_CONTEXT-unset}"`
    expect(execFileSync('bash', ['-c', script]).toString()).to.equal("tcp://10.0.0.1:2376|/tmp/it's here|unset")
  })

  it('prints fish syntax', () => {
    const text = renderEnv(vars, 'fish', 'swarmnet node env n')
    expect(text).to.include('set -gx DOCKER_HOST tcp://10.0.0.1:2376;')
    expect(text).to.include('set -e DOCKER_CONTEXT;')
    expect(text).to.include('# eval (swarmnet node env n)')
  })

  it('prints PowerShell syntax', () => {
    const text = renderEnv(vars, 'powershell', 'swarmnet node env n')
    expect(text).to.include("$Env:DOCKER_HOST = 'tcp://10.0.0.1:2376'")
    expect(text).to.include("$Env:DOCKER_CERT_PATH = '/tmp/it''s here'")
    expect(text).to.include('Remove-Item Env:\\DOCKER_CONTEXT')
  })

  it('picks the shell from --shell, else $SHELL, else bash', () => {
    expect(pickShell('fish', {})).to.equal('fish')
    expect(pickShell(undefined, {SHELL: '/usr/bin/zsh'})).to.equal('zsh')
    expect(pickShell(undefined, {SHELL: '/bin/tcsh'})).to.equal('bash')
    expect(() => pickShell('csh', {})).to.throw(UsageError, /unknown shell "csh"; expected one of bash, zsh, sh, fish, powershell/)
  })
})
