import {expect} from 'chai'

import {UsageError} from '../../../src/lib/core/errors.js'
import {checkCheckNames, checkNames} from '../../../src/lib/doctor/doctor.js'

describe('doctor: --check names', () => {
  it('knows every per-node check by its first word', () => {
    expect(checkNames()).to.include.members(['ssh', 'state', 'ipvs', 'port', 'vxlan', 'mtu', 'ingress', 'addresses', 'firewall', 'engine', 'consistency'])
  })

  it('refuses an unknown name with one line naming it and every known name', () => {
    expect(() => checkCheckNames(['port', 'nope'])).to.throw(UsageError, /^invalid --check "nope": expected one of ssh, state, ipvs, port, /)
  })

  it('takes known names', () => {
    expect(() => checkCheckNames(['port', 'mtu'])).not.to.throw()
  })
})
