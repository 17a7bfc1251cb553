import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {paths} from './layout.js'
import {run} from './system.js'

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
const DAYS = ['-days', '825']

/** A CA plus a client certificate, as docker-machine makes in its certs/ directory. */
export async function makeCertificateAuthority(): Promise<void> {
  mkdirSync(paths.pki, {recursive: true, mode: 0o700})
  const ca = path.join(paths.pki, 'ca.pem')
  const caKey = path.join(paths.pki, 'ca-key.pem')
  await run('openssl', ['req', '-x509', ...EC, '-keyout', caKey, '-out', ca, '-subj', '/CN=swarmnet lab CA', ...DAYS,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  await issue({dir: paths.pki, name: 'cert', subject: '/CN=swarmnet lab client', extensions: ['extendedKeyUsage=clientAuth']})
}

/** The server certificate a node's engine presents: its address and name in the SANs. */
export async function makeServerCertificate(dir: string, node: {name: string; ip: string}): Promise<void> {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  await issue({
    dir,
    name: 'server',
    subject: `/CN=${node.name}`,
    extensions: [`subjectAltName=IP:${node.ip},DNS:${node.name},DNS:localhost,IP:127.0.0.1`, 'extendedKeyUsage=serverAuth'],
  })
}

async function issue(options: {dir: string; name: string; subject: string; extensions: string[]}): Promise<void> {
  const cert = path.join(options.dir, `${options.name}.pem`)
  const key = path.join(options.dir, options.name === 'cert' ? 'key.pem' : `${options.name}-key.pem`)
  await run('openssl', ['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-subj', options.subject, ...DAYS,
    '-CA', path.join(paths.pki, 'ca.pem'), '-CAkey', path.join(paths.pki, 'ca-key.pem'),
    ...options.extensions.flatMap((e) => ['-addext', e]), '-addext', 'basicConstraints=CA:FALSE'])
}

/** Writes a file with restrictive permissions when it holds a key. */
export function writePrivate(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
  writeFileSync(file, content, {mode: 0o600})
}
