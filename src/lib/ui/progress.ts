/**
 * Runs `work` with a spinner on stderr, shown only on a terminal and only if the wait passes ~300 ms,
 * so quick commands print nothing and pipes never see escape codes.
 */
export async function withSpinner<T>(text: string, work: () => Promise<T>, options: {quiet?: boolean} = {}): Promise<T> {
  if (options.quiet || !process.stderr.isTTY) return work()
  let spinner: {stop(): unknown} | undefined
  let done = false
  const timer = setTimeout(() => {
    import('ora').then(
      ({default: ora}) => {
        if (!done) spinner = ora({text, stream: process.stderr}).start()
      },
      () => {}, // a spinner is a nicety; never fail the work for it
    )
  }, 300)
  try {
    return await work()
  } finally {
    done = true
    clearTimeout(timer)
    spinner?.stop()
  }
}

/** One line of progress on stderr (never stdout, which carries data). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`)
}

/**
 * A status line that changes over time (e.g. tasks running per node), on stderr: redrawn in place
 * on a terminal, otherwise printed each time it changes. Quiet under --json.
 */
export function liveStatus(options: {quiet?: boolean} = {}): {update(text: string): void; stop(final?: string): void} {
  if (options.quiet) return {update() {}, stop() {}}
  if (!process.stderr.isTTY) {
    return {
      update: (text) => note(text),
      stop: (final) => final && note(final),
    }
  }

  let spinner: {text: string; stop(): unknown; succeed(text?: string): unknown} | undefined
  let latest = ''
  let stopped = false
  import('ora').then(
    ({default: ora}) => {
      if (!stopped) spinner = ora({text: latest, stream: process.stderr}).start()
    },
    () => {}, // a spinner is a nicety
  )
  return {
    update(text) {
      latest = text
      if (spinner) spinner.text = text
    },
    stop(final) {
      stopped = true
      if (spinner && final) spinner.succeed(final)
      else if (spinner) spinner.stop()
      else if (final) note(final)
    },
  }
}
