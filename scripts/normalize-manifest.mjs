// oclif can write commands in the order the filesystem lists them, which differs between checkouts;
// sorting the commands makes the generated manifest the same everywhere, so CI can compare it as text.
// Only the commands' order is touched: inside a command, order means something (arguments are positional).
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(file, 'utf8'))
manifest.commands = Object.fromEntries(Object.keys(manifest.commands).sort().map((id) => [id, manifest.commands[id]]))
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`)
