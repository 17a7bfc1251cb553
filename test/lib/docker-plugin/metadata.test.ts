import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {pluginMetadata} from '../../../src/lib/docker-plugin/metadata.js'
import {ROOT} from '../../helpers/cli.js'

describe('pluginMetadata: what docker-swarmnet docker-cli-plugin-metadata prints', () => {
  it('has the fields docker requires (SchemaVersion 0.1.0, a Vendor) and a one-line description from package.json', () => {
    const pjson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(pluginMetadata(pjson)).to.deep.equal({
      SchemaVersion: '0.1.0',
      Vendor: 'swarmnet',
      Version: pjson.version,
      ShortDescription: 'Docker Swarm networking from the command line',
    })
  })

  it('names the homepage as URL when package.json has one', () => {
    expect(pluginMetadata({name: 'swarmnet', version: '1.2.3', description: 'X: y', homepage: 'https://example.org/swarmnet'})).to.deep.equal({
      SchemaVersion: '0.1.0',
      Vendor: 'swarmnet',
      Version: '1.2.3',
      ShortDescription: 'X',
      URL: 'https://example.org/swarmnet',
    })
  })
})
