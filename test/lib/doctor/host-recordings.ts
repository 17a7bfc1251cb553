import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/host')

/** A recording in test/fixtures/host/ (its README says where each comes from). */
export function recording(name: string): string {
  return readFileSync(path.join(DIR, name), 'utf8')
}
