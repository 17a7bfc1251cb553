import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {UsageError} from '../core/errors.js'
import type {TlsMaterial} from './endpoint.js'

/**
 * Reads ca.pem, cert.pem and key.pem from a directory, as the docker CLI does with DOCKER_CERT_PATH.
 * `required` files must exist (an error names the missing file); the others are read when present.
 */
export function readTlsDir(dir: string, options: {verify: boolean; origin: string; required?: ('ca' | 'cert' | 'key')[]}): TlsMaterial {
  const required = new Set(options.required ?? (options.verify ? ['ca'] : []))
  const read = (name: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const file = path.join(dir, `${name}.pem`)
    if (!existsSync(file)) {
      if (required.has(name)) throw new UsageError(`missing TLS file ${file} (from ${options.origin}); expected ca.pem, cert.pem and key.pem there`)
      return undefined
    }

    try {
      return readFileSync(file)
    } catch (error) {
      throw new UsageError(`cannot read TLS file ${file} (from ${options.origin}): ${(error as Error).message}`)
    }
  }

  const material: TlsMaterial = {verify: options.verify, ca: read('ca'), cert: read('cert'), key: read('key'), dir}
  if (Boolean(material.cert) !== Boolean(material.key)) {
    const missing = material.cert ? 'key.pem' : 'cert.pem'
    throw new UsageError(`missing TLS file ${path.join(dir, missing)} (from ${options.origin}); a client certificate needs both cert.pem and key.pem`)
  }

  return material
}
