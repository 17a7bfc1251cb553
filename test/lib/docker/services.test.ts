import {expect} from 'chai'

import {UsageError} from '../../../src/lib/core/errors.js'
import {findService} from '../../../src/lib/docker/services.js'
import {fakeEngine, serviceOf} from '../../helpers/fake-engine.js'
import {fails} from '../../helpers/usage.js'

describe('docker/services', () => {
  describe('findService', () => {
    const services = [
      serviceOf('abc123def456', 'go-demo'),
      serviceOf('abd999000111', 'proxy'),
      serviceOf('zzz000111222', 'abc123'),
    ]
    const engine = fakeEngine({listServices: async () => services})

    it('finds by name, then by id', async () => {
      expect((await findService(engine, 'go-demo')).id).to.equal('abc123def456')
      expect((await findService(engine, 'abd999000111')).name).to.equal('proxy')
    })

    it('takes a name before an id prefix', async () => {
      expect((await findService(engine, 'abc123')).name).to.equal('abc123')
    })

    it('finds by a unique id prefix of 3 characters or more', async () => {
      expect((await findService(engine, 'abd')).name).to.equal('proxy')
      expect((await findService(engine, 'zzz0')).name).to.equal('abc123')
    })

    for (const ref of ['ab', 'z', 'go', 'go-', 'nope']) {
      it(`refuses "${ref}" (too short a prefix, ambiguous, a name prefix or unknown), listing the services`, async () => {
        const error = await fails(findService(engine, ref))
        expect(error).to.be.instanceOf(UsageError)
        expect(error.message).to.equal(`unknown service "${ref}"; the swarm's services are go-demo, proxy, abc123`)
      })
    }

    it('refuses an ambiguous id prefix', async () => {
      const ambiguous = await fails(findService(fakeEngine({listServices: async () => [serviceOf('abc1', 'a'), serviceOf('abc2', 'b')]}), 'abc'))
      expect(ambiguous.message).to.equal('unknown service "abc"; the swarm\'s services are a, b')
    })

    it('says there are none', async () => {
      const error = await fails(findService(fakeEngine({listServices: async () => []}), 'go-demo'))
      expect(error.message).to.equal('unknown service "go-demo"; the swarm\'s services are none')
    })

    it('uses the services it is given without asking the engine', async () => {
      expect((await findService(fakeEngine(), 'proxy', services)).id).to.equal('abd999000111')
    })
  })
})
