import {generateKeyPairSync} from 'node:crypto'

/** An SSH public key blob for a fresh ed25519 key: string "ssh-ed25519", string 32-byte key. */
export function ed25519Blob(): Buffer {
  const {publicKey} = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({format: 'jwk'}).x as string, 'base64url')
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)])
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  return Buffer.concat([length, data])
}
