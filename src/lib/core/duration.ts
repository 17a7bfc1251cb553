import {UsageError} from './errors.js'

const units: Record<string, number> = {ms: 1, s: 1000, m: 60_000}

/** 1500 -> "1.5s", 10000 -> "10s": how timeouts are named in messages. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`
}

/** "10s", "500ms", "2m" or a bare number of seconds, to milliseconds; anything else is a usage error. */
export function parseDuration(text: string, origin: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const ms = match ? Number(match[1]) * units[match[2] ?? 's'] : Number.NaN
  if (!match || ms <= 0 || ms > 3_600_000) throw new UsageError(`invalid ${origin} "${text}": expected a duration like 10s, 500ms or 2m (at most 60m)`)
  return Math.round(ms)
}
