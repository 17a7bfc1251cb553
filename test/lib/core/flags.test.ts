import {expect} from 'chai'

import {usageMessage} from '../../helpers/usage.js'
import {checkExclusive, checkFlagNeeds, givenOnCommandLine, originOf} from '../../../src/lib/core/flags.js'

describe('flags: where a value came from, and how flags go together', () => {
  describe('where a value came from', () => {
    it('typed (--flag value, --flag=value, -X) or from the environment', () => {
      expect(givenOnCommandLine(['node', 'ls', '--ssh-config', 'x'], 'ssh-config')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '--ssh-config=x'], 'ssh-config')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '-H', 'unix:///x'], 'host', 'H')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '-Hunix:///x'], 'host', 'H')).to.equal(true)
      expect(givenOnCommandLine(['node', 'ls', '--ssh-configs'], 'ssh-config')).to.equal(false)
      expect(givenOnCommandLine(['lab', 'up'], 'host', 'H')).to.equal(false)
      expect(originOf(['doctor'], 'ssh-config', 'SWARMNET_SSH_CONFIG')).to.equal('SWARMNET_SSH_CONFIG')
      expect(originOf(['doctor', '--ssh-config', 'x'], 'ssh-config', 'SWARMNET_SSH_CONFIG')).to.equal('--ssh-config')
    })
  })

  describe('flags that depend on others', () => {
    it('a flag without its partner is a usage error, never ignored', () => {
      expect(usageMessage(() => checkFlagNeeds({yes: true, prune: false}, {yes: 'prune'}))).to.equal('--yes goes with --prune; without it, --yes would do nothing')
      expect(() => checkFlagNeeds({yes: true, prune: true}, {yes: 'prune'})).not.to.throw()
      expect(() => checkFlagNeeds({yes: false, prune: false}, {yes: 'prune'})).not.to.throw()
    })

    it('flags that exclude each other', () => {
      expect(usageMessage(() => checkExclusive({raw: true, json: true}, [['raw', 'json', 'why']]))).to.equal('--raw does not go with --json: why')
      expect(() => checkExclusive({raw: true, json: false}, [['raw', 'json', 'why']])).not.to.throw()
    })
  })
})
