import {expect} from 'chai'

import {swarmnet} from '../../helpers/cli.js'
import {tempDir} from '../../helpers/fixtures.js'

/**
 * `map --open` with no desktop opener: one line, exit 2, before any work. The engine named here does
 * not exist, so had the command gone on to ask it, it would have failed with exit 1 instead.
 */
describe('swarmnet map --open without a desktop opener', () => {
  const empty = tempDir()
  after(() => empty.remove())

  for (const args of [['map', '--open'], ['map', '--format', 'svg', '--open', '--output', 'x.svg']]) {
    it(`${args.join(' ')}: says so in one line, exit 2, asks no engine`, async () => {
      const result = await swarmnet(args, {env: {PATH: empty.dir, DOCKER_HOST: 'unix:///nonexistent/docker.sock'}})
      expect([result.code, result.stdout, result.stderr]).to.deep.equal([2, '', 'Error: --open: no desktop opener (xdg-open) on PATH; use --output FILE and open it yourself\n'])
    })
  }

  it('--output in a folder that does not exist: exit 2 before any work', async () => {
    const result = await swarmnet(['map', '--format', 'svg', '--output', '/nonexistent/map.svg'], {env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}})
    expect([result.code, result.stdout, result.stderr]).to.deep.equal([2, '', 'Error: --output /nonexistent/map.svg: no such folder /nonexistent; expected a file in an existing folder\n'])
  })
})
