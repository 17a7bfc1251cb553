import {readFileSync} from 'node:fs'

import {SwarmnetError, UsageError} from './errors.js'

/** Reads a JSON file of the user's; an unreadable file is a runtime error, malformed JSON a usage error, both naming the file. */
export function readJsonFile(file: string, invalid = 'is not valid JSON'): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new SwarmnetError(`cannot read ${file}: ${(error as Error).message}`)
  }

  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${file} ${invalid}`)
  }
}
