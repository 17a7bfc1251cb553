import {expect} from 'chai'

import {SwarmnetError, UsageError} from '../../../src/lib/core/errors.js'
import {checkRequirements, validateDataPathPort, validateShape, validateSubnet} from '../../../src/lib/lab/lab.js'

describe('lab requirements and shape', () => {
  const all = () => '/usr/bin/x'

  it('says exactly what to install when programs are missing', () => {
    const missing = new Set(['sshd', 'haproxy', 'busybox'])
    expect(() => checkRequirements({platform: 'linux', uid: 0, find: (b) => (missing.has(b) ? undefined : '/usr/bin/x')})).to.throw(
      SwarmnetError,
      /^the lab needs sshd, haproxy, busybox: apt-get install -y openssh-server haproxy busybox-static$/,
    )
  })

  it('needs Linux and root', () => {
    expect(() => checkRequirements({platform: 'darwin', uid: 0, find: all})).to.throw(/needs Linux network namespaces; this is darwin/)
    expect(() => checkRequirements({platform: 'linux', uid: 1000, find: all})).to.throw(/needs root/)
    expect(() => checkRequirements({platform: 'linux', uid: 0, find: all})).to.not.throw()
  })

  it('checks --data-path-port against Docker\'s range (1024 to 49151) before doing anything', () => {
    expect(() => validateDataPathPort(4790)).to.not.throw()
    expect(() => validateDataPathPort(1024)).to.not.throw()
    expect(() => validateDataPathPort(80)).to.throw(UsageError, /^invalid --data-path-port "80": expected a UDP port from 1024 to 49151$/)
    expect(() => validateDataPathPort(49_152)).to.throw(UsageError)
  })

  it('checks --nodes, --managers and --subnet before doing anything', () => {
    expect(() => validateShape(10, 1)).to.throw(UsageError, /invalid --nodes "10"/)
    expect(() => validateShape(3, 0)).to.throw(UsageError, /invalid --managers "0"/)
    expect(() => validateSubnet('10.1.2.0/24')).to.not.throw()
    expect(() => validateSubnet('10.1.2.3/24')).to.throw(UsageError, /expected an IPv4 \/24/)
    expect(() => validateSubnet('10.1.256.0/24')).to.throw(UsageError)
  })
})
