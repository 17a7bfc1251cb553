// Go as the real proxy uses it: value conversions, url.ParseQuery, json.Marshal.

export const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
export const GO_BOOL = new Set([...GO_TRUE, '0', 'f', 'F', 'FALSE', 'false', 'False'])
export const parseBool = (v) => GO_TRUE.has(v) // strconv.ParseBool, an error counting as false
export const atoi = (v) => (/^[+-]?\d+$/.test(v) ? Number(v) : 0)
export const len = (v) => (v ? (Array.isArray(v) ? v.length : Object.keys(v).length) : 0)
export const eqFold = (a, b) => a.toLowerCase() === b.toLowerCase()
export const split = (v, sep) => v.split(sep) // strings.Split: no trimming, no dropping of empties

// Go's url.ParseQuery (Go 1.11): "&" and ";" separate pairs, a pair that does not
// unescape is dropped.
export function parseQuery(raw) {
  const pairs = []
  for (const part of (raw || '').split(/[&;]/)) {
    if (!part) continue
    const eq = part.indexOf('=')
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]
    try {
      pairs.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))])
    } catch {
      // malformed escape
    }
  }
  return pairs
}

// json.Marshal escapes these even inside strings.
export const goJson = (value) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
