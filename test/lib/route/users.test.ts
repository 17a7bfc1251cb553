import {expect} from 'chai'
import {verify} from 'unixcrypt'

import {UsageError} from '../../../src/lib/core/errors.js'
import {hashUsers, maskUsers, shown} from '../../../src/lib/route/users.js'

/** SHA-512 crypt as `openssl passwd -6 -salt SALT` writes it: $6$SALT$ then 86 characters of ./0-9A-Za-z. */
const SHA512_CRYPT = /^\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => expect.fail('should have failed'),
    (error: unknown) => error,
  )
  expect(error).to.be.instanceOf(UsageError)
  return error as UsageError
}

/** Hashes HAProxy takes as they are: MD5, SHA-256, SHA-512, bcrypt, yescrypt. */
const hashes = [
  '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/',
  '$5$saltsalt$w5vAAP8/1IWSqp9cFZPvfjAdHD6A8HXzfMJEqVRRAc1',
  '$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/',
  '$2b$05$abcdefghijklmnopqrstuuQq7SgCZfmD5Yq5bJ6Hkq3f1rfhQ2Pfq',
  '$2a$05$abcdefghijklmnopqrstuuQq7SgCZfmD5Yq5bJ6Hkq3f1rfhQ2Pfq',
]
const YESCRYPT = '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7'

describe('routes/users', () => {
  describe('hashUsers', () => {
    it('hashes a plain password with SHA-512 crypt that verifies', async () => {
      const hashed = await hashUsers('admin:secret')
      const [user, hash] = [hashed.slice(0, hashed.indexOf(':')), hashed.slice(hashed.indexOf(':') + 1)]
      expect(user).to.equal('admin')
      expect(hash).to.match(SHA512_CRYPT)
      expect(verify('secret', hash)).to.equal(true)
      expect(verify('Secret', hash)).to.equal(false)
      expect(hashed).not.to.include('secret')
    })

    it('hashes every pair, each with its own salt, keeping the order', async () => {
      const hashed = await hashUsers('admin:secret, bob:secret ,carol:p:a:ss')
      const pairs = hashed.split(',')
      expect(pairs.map((p) => p.slice(0, p.indexOf(':')))).to.deep.equal(['admin', 'bob', 'carol'])
      const hashes = pairs.map((p) => p.slice(p.indexOf(':') + 1))
      for (const hash of hashes) expect(hash).to.match(SHA512_CRYPT)
      expect(hashes[0]).not.to.equal(hashes[1])
      expect(verify('secret', hashes[0])).to.equal(true)
      expect(verify('secret', hashes[1])).to.equal(true)
      expect(verify('p:a:ss', hashes[2])).to.equal(true)
    })

    it('salts each call differently', async () => {
      expect(await hashUsers('admin:secret')).not.to.equal(await hashUsers('admin:secret'))
    })

    for (const hash of hashes) {
      it(`keeps an already hashed password as it is (${hash.slice(0, 4)})`, async () => {
        expect(await hashUsers(`admin:${hash}`)).to.equal(`admin:${hash}`)
      })
    }

    it('refuses a yescrypt hash, which the proxy image\'s musl cannot check', async () => {
      const error = await usageError(hashUsers(`admin:pw,bob:${YESCRYPT}`))
      expect(error.message).to.equal("invalid --users entry 2 of 2: the proxy's HAProxy cannot check yescrypt ($y$) hashes; give a plain password or a $6$ hash")
    })

    it('mixes hashed and plain entries', async () => {
      const hashed = await hashUsers(`admin:${hashes[2]},bob:pw`)
      const [admin, bob] = hashed.split(',')
      expect(admin).to.equal(`admin:${hashes[2]}`)
      expect(verify('pw', bob.slice('bob:'.length))).to.equal(true)
    })

    const bad: [string, string][] = [
      ['admin', '1 of 1'],
      [':secret', '1 of 1'],
      ['admin:', '1 of 1'],
      ['admin:se cret', '1 of 1'],
      ['admin:secret,', '2 of 2'],
      ['admin:secret,,bob:x', '2 of 3'],
      ['', '1 of 1'],
    ]
    for (const [text, position] of bad) {
      it(`refuses ${JSON.stringify(text)} by position, without showing the password`, async () => {
        const error = await usageError(hashUsers(text))
        expect(error.message).to.equal(`invalid --users entry ${position}: expected USER:PASSWORD pairs separated by ",", without spaces`)
        expect(error.message).not.to.include('secret')
        expect(error.message).not.to.include('se cret')
        expect(error.exitCode).to.equal(2)
      })
    }

    for (const text of ['admin=s3cret', 'admin s3cret', 'admin;s3cret']) {
      it(`refuses ${JSON.stringify(text)} without showing the password`, async () => {
        const error = await usageError(hashUsers(text))
        expect(error.message).not.to.include('s3cret')
      })
    }
  })

  describe('maskUsers', () => {
    it('keeps the names only', () => {
      expect(maskUsers(`admin:${hashes[2]},bob:plain`)).to.equal('admin:***,bob:***')
      expect(maskUsers('admin')).to.equal('admin:***')
      expect(maskUsers('admin:a:b')).to.equal('admin:***')
    })
  })

  describe('shown', () => {
    it('masks users and nothing else', () => {
      const params = {servicePath: '/demo', port: '8080', users: `admin:${hashes[2]}`, usersPassEncrypted: 'true'}
      expect(shown(params)).to.deep.equal({servicePath: '/demo', port: '8080', users: 'admin:***', usersPassEncrypted: 'true'})
      expect(params.users).to.equal(`admin:${hashes[2]}`)
    })

    it('leaves a route without users as it is', () => {
      expect(shown({port: '1'})).to.deep.equal({port: '1'})
    })
  })
})
