// oclif writes commands in the order the filesystem lists them, which differs between checkouts;
// sorting the keys makes the generated manifest the same everywhere, so CI can compare it as text.
import {readFileSync, writeFileSync} from 'node:fs'

const sortKeys = (value) =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]))
      : value

const file = new URL('../oclif.manifest.json', import.meta.url)
writeFileSync(file, `${JSON.stringify(sortKeys(JSON.parse(readFileSync(file, 'utf8'))), null, 2)}\n`)
