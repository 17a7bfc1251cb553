/** Global flags that take a value, in every spelling the base command accepts. */
const VALUE_FLAGS = new Set(['-H', '--host', '-c', '--context', '--machine', '--timeout', '--ssh-config'])
const BOOLEAN_FLAGS = new Set(['--accept-new-host-key', '--no-color', '--json'])

/**
 * Docker users put global flags first (`swarmnet -H ssh://node-1 node ls`); oclif wants the command
 * first. Moves leading global flags, with their values, after the command words.
 */
export function moveLeadingGlobalFlags(argv: string[]): string[] {
  const leading: string[] = []
  let i = 0
  while (i < argv.length) {
    const token = argv[i]
    const name = token.includes('=') ? token.slice(0, token.indexOf('=')) : token
    if (VALUE_FLAGS.has(name)) {
      const takesNext = !token.includes('=') && i + 1 < argv.length
      leading.push(...argv.slice(i, takesNext ? i + 2 : i + 1))
      i += takesNext ? 2 : 1
    } else if (BOOLEAN_FLAGS.has(token)) {
      leading.push(token)
      i += 1
    } else {
      break
    }
  }

  return leading.length === 0 || i === argv.length ? argv : [...argv.slice(i), ...leading]
}
