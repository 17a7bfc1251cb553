/**
 * Polls until `check` returns true (a rejection counts as not yet), failing after `timeoutMs`: the
 * deadline only bounds a wait for something that should happen, it never decides a result.
 */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return
    await new Promise((resolve) => {
      setTimeout(resolve, everyMs)
    })
  }

  throw new Error(`${what}: not true after ${timeoutMs / 1000}s`)
}
