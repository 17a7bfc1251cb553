import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {ensureBundle} from '../../helpers/built.js'
import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'

/**
 * Shell completion as users install it: the script `swarmnet autocomplete script bash` prints is
 * evaluated in a real bash, and bash's completion function is asked what it offers.
 */
describe('swarmnet autocomplete', () => {
  let home: ReturnType<typeof tempDir>
  let env: Record<string, string>

  before(async function () {
    this.timeout(60_000)
    ensureBundle()
    home = tempDir()
    env = {HOME: home.dir, XDG_CACHE_HOME: `${home.dir}/cache`}
    const built = await swarmnet(['autocomplete', 'bash', '--refresh-cache'], {env})
    expect(built.code, built.stderr).to.equal(0)
  })
  after(() => home.remove())

  /** What bash's completion for swarmnet offers for the words typed (the last one being completed). */
  async function complete(words: string[]): Promise<string[]> {
    const setup = (await swarmnet(['autocomplete', 'script', 'bash'], {env})).stdout
    const script = [
      'eval "$1"; shift',
      'fn=$(complete -p swarmnet | sed -n "s/.*-F \\([^ ]*\\).*/\\1/p")',
      'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
      '"$fn" swarmnet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n')
    const out = execFileSync('bash', ['-c', script, 'bash', setup, ...words], {encoding: 'utf8'})
    return [...new Set(out.split('\n').filter(Boolean))].sort()
  }

  it('completes `swarmnet ro` to route', async () => {
    expect(await complete(['swarmnet', 'ro'])).to.deep.equal(['route'])
  })

  it('completes `swarmnet route a` to add', async () => {
    expect(await complete(['swarmnet', 'route', 'a'])).to.deep.equal(['add'])
  })

  it('offers the topics, and a command\'s flags', async () => {
    const topics = await complete(['swarmnet', ''])
    for (const topic of ['doctor', 'inspect', 'lab', 'lb', 'map', 'mesh', 'network', 'node', 'proxy', 'route']) expect(topics).to.include(topic)
    expect(await complete(['swarmnet', 'route', 'add', '--ver'])).to.deep.equal(['--verbose', '--verify', '--verify-path'])
  })

  it('prints the install line for bash, zsh and PowerShell', async () => {
    for (const shell of ['bash', 'zsh', 'powershell']) {
      const result = await swarmnet(['autocomplete', shell], {env})
      expect(result.code, shell).to.equal(0)
      expect(result.stdout, shell).to.include(`swarmnet autocomplete script ${shell}`)
    }
  })
})
