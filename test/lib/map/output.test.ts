import {expect} from 'chai'
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {UsageError} from '../../../src/lib/core/errors.js'
import {checkMapOutput, desktopOpener, openFile, writeMapFile} from '../../../src/lib/map/output.js'
import {eventually} from '../../helpers/lab.js'
import {tempDir} from '../../helpers/fixtures.js'

describe('map output: --output and --open', () => {
  const dir = tempDir()
  after(() => dir.remove())
  const bin = (name: string, files: Record<string, number>) => {
    const folder = path.join(dir.dir, name)
    mkdirSync(folder, {recursive: true})
    for (const [file, mode] of Object.entries(files)) {
      writeFileSync(path.join(folder, file), '#!/bin/sh\n')
      chmodSync(path.join(folder, file), mode)
    }

    return folder
  }

  describe('desktopOpener', () => {
    it('finds xdg-open on PATH on Linux, the first executable one', () => {
      const notExecutable = bin('a', {'xdg-open': 0o644})
      const executable = bin('b', {'xdg-open': 0o755})
      expect(desktopOpener('linux', [notExecutable, executable].join(path.delimiter))).to.deep.equal({command: path.join(executable, 'xdg-open'), args: []})
    })

    it('finds open on macOS, and nothing when PATH has no opener', () => {
      const mac = bin('mac', {open: 0o755})
      expect(desktopOpener('darwin', mac)).to.deep.equal({command: path.join(mac, 'open'), args: []})
      expect(desktopOpener('darwin', bin('empty', {}))).to.equal(undefined)
      expect(desktopOpener('linux', mac)).to.equal(undefined)
      expect(desktopOpener('linux', '')).to.equal(undefined)
    })

    it('uses start through cmd on Windows', () => {
      expect(desktopOpener('win32', '')).to.deep.equal({command: 'cmd', args: ['/c', 'start', '""']})
    })
  })

  describe('checkMapOutput', () => {
    it('accepts a file in an existing folder, and no --open', () => {
      expect(checkMapOutput({format: 'svg', output: path.join(dir.dir, 'map.svg'), open: false})).to.equal(undefined)
      expect(checkMapOutput({format: 'tree', open: false})).to.equal(undefined)
    })

    it('refuses a file in a folder that does not exist, or that is a file', () => {
      const missing = path.join(dir.dir, 'nope', 'map.svg')
      expect(() => checkMapOutput({format: 'svg', output: missing, open: false})).to.throw(UsageError, `--output ${missing}: no such folder ${path.join(dir.dir, 'nope')}; expected a file in an existing folder`)
      writeFileSync(path.join(dir.dir, 'plain'), '')
      expect(() => checkMapOutput({format: 'svg', output: path.join(dir.dir, 'plain', 'map.svg'), open: false})).to.throw(UsageError, /no such folder/)
    })

    it('refuses --open for a format that is not a picture', () => {
      expect(() => checkMapOutput({format: 'dot', open: true})).to.throw(UsageError, '--open shows the picture: it needs --format svg, not --format dot')
    })
  })

  describe('writeMapFile', () => {
    it('writes the drawing, ending in a newline, to the file given', async () => {
      const file = path.join(dir.dir, 'out.svg')
      expect(await writeMapFile('<svg/>', file, 'svg')).to.equal(file)
      expect(readFileSync(file, 'utf8')).to.equal('<svg/>\n')
    })

    it('without a file, writes map.svg in a new folder only its owner can read', async () => {
      const file = await writeMapFile('<svg/>\n', undefined, 'svg')
      expect(path.basename(file)).to.equal('map.svg')
      expect(path.basename(path.dirname(file))).to.match(/^swarmnet-map-/)
      expect(statSync(path.dirname(file)).mode & 0o777).to.equal(0o700)
      expect(readFileSync(file, 'utf8')).to.equal('<svg/>\n')
      rmSync(path.dirname(file), {recursive: true})
    })
  })

  describe('openFile', () => {
    it('runs the opener with its arguments and the file, without waiting for it', async () => {
      const folder = bin('opener', {})
      const opener = path.join(folder, 'fake-open')
      const said = path.join(folder, 'said')
      writeFileSync(opener, `#!/bin/sh\necho "$@" > ${said}.tmp && mv ${said}.tmp ${said}\n`)
      chmodSync(opener, 0o755)
      openFile({command: opener, args: ['--new-window']}, '/tmp/map.svg')
      await eventually('the opener ran', async () => existsSync(said), 10_000)
      expect(readFileSync(said, 'utf8')).to.equal('--new-window /tmp/map.svg\n')
    })
  })
})
