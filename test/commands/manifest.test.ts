import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {ROOT} from '../helpers/cli.js'

/** Help and completion read the generated manifest: it must keep each command's arguments in their real order. */
describe('oclif.manifest.json', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))
  const ours = Object.keys(manifest.commands).filter((id) => existsSync(path.join(ROOT, 'src', 'commands', `${id.replaceAll(':', '/')}.ts`)))

  it('lists every command of ours, in sorted order', () => {
    expect(ours).to.include.members(['route:add', 'proxy:up', 'inspect:cfg', 'doctor'])
    expect(Object.keys(manifest.commands)).to.deep.equal(Object.keys(manifest.commands).sort())
  })

  it('keeps positional arguments in the order the command declares them', async () => {
    for (const id of ours) {
      const {default: command} = await import(path.join(ROOT, 'src', 'commands', `${id.replaceAll(':', '/')}.ts`))
      expect(Object.keys(manifest.commands[id].args), id).to.deep.equal(Object.keys(command.args ?? {}))
    }

    expect(Object.keys(manifest.commands['route:add'].args)).to.deep.equal(['service', 'path', 'port'])
  })
})
