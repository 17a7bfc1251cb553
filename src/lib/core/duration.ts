/** 1500 -> "1.5s", 10000 -> "10s": how timeouts are named in messages (parsing is in input.ts). */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`
}
