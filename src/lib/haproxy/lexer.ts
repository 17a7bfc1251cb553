// HAProxy's lexical layer: physical lines (with their endings, to rebuild the file byte for byte),
// words (quotes, escapes, comments), and the split of the lines into sections of directives.

import type {HaproxyConfig, RawLine, Section} from './model.js'

/** The physical lines, each with its own ending ('\n', '\r\n', or '' on a last line without one). */
export function splitLines(text: string): RawLine[] {
  const lines: RawLine[] = []
  let start = 0
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    if (nl === -1) {
      lines.push({number: lines.length + 1, text: text.slice(start), eol: ''})
      break
    }

    const crlf = nl > start && text[nl - 1] === '\r'
    lines.push({number: lines.length + 1, text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n'})
    start = nl + 1
  }

  return lines
}

/** What the lines end with, all told. */
export function lineEnding(lines: RawLine[]): HaproxyConfig['lineEnding'] {
  const kinds = new Set(lines.map((l) => l.eol).filter((e) => e !== ''))
  if (kinds.size === 0) return 'none'
  if (kinds.size > 1) return 'mixed'
  return kinds.has('\r\n') ? 'crlf' : 'lf'
}

const ESCAPES: Record<string, string> = {' ': ' ', '#': '#', '\\': '\\', '"': '"', "'": "'"}

/** HAProxy's word splitting: blanks separate, quotes and `\ ` join, an unquoted `#` starts a comment. */
export function tokenize(text: string): {words: string[]; codeEnd: number} {
  const words: string[] = []
  let word: string | null = null
  let quote: string | null = null
  let i = 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (quote !== null) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += ESCAPES[text[++i]] ?? '\\' + text[i]
      else word += c
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + (ESCAPES[text[++i]] ?? '\\' + text[i])
    } else if (c === '"' || c === "'") {
      quote = c
      word ??= ''
    } else if (c === '#') {
      break
    } else if (c === ' ' || c === '\t' || c === '\r') {
      if (word !== null) words.push(word)
      word = null
    } else {
      word = (word ?? '') + c
    }
  }

  if (word !== null) words.push(word)
  return {words, codeEnd: i}
}

/** A line of a section as words: its first word and the rest. */
export interface Directive {
  line: number
  keyword: string
  args: string[]
  /** the line without indentation and inline comment */
  text: string
}

/** A section with its directives (the raw lines stay in `section.lines`). */
export interface SectionBody {
  section: Section
  directives: Directive[]
}

const SECTION_KEYWORDS = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'userlist', 'peers', 'resolvers', 'mailers', 'cache',
  'program', 'http-errors', 'ring', 'log-forward', 'fcgi-app', 'crt-store', 'traces', 'acme',
])

const DIRECTIVE_WORDS = new Set([
  'acl', 'bind', 'mode', 'use_backend', 'default_backend', 'use-server', 'server', 'server-template',
  'default-server', 'option', 'no', 'timeout', 'balance', 'cookie', 'stats', 'log', 'maxconn', 'fullconn',
  'errorfile', 'errorloc', 'redirect', 'capture', 'compression', 'retries', 'hash-type', 'user', 'group',
  'nameserver', 'peer', 'daemon', 'pidfile', 'chroot', 'description', 'monitor-uri', 'filter', 'source',
  'persist', 'dispatch', 'hold', 'command', 'uid', 'gid', 'node', 'insecure-password', 'password',
])
const DIRECTIVE_PREFIX = /^(tune\.|ssl-|http-|tcp-|stick|req|rsp|log-|max|nb|ca-|crt-|lua-|unique-id|email-|external-|resolve|set-|\.)/

/**
 * Where a section starts. HAProxy ignores indentation, so a known section keyword starts one
 * anywhere; a word HAProxy does not know starts an (unknown) section only at column 0, and only
 * when it does not look like a directive someone wrote unindented.
 */
function sectionHeader(line: RawLine, words: string[]): {keyword: string; name: string | null; known: boolean} | null {
  const [first, second] = words
  if (first === undefined) return null
  if (SECTION_KEYWORDS.has(first)) return {keyword: first, name: second ?? null, known: true}
  const unindented = !/^[ \t]/.test(line.text)
  if (unindented && words.length <= 3 && !DIRECTIVE_WORDS.has(first) && !DIRECTIVE_PREFIX.test(first)) {
    return {keyword: first, name: second ?? null, known: false}
  }

  return null
}

export function groupSections(lines: RawLine[]): {preamble: RawLine[]; bodies: SectionBody[]} {
  const preamble: RawLine[] = []
  const bodies: SectionBody[] = []
  for (const line of lines) {
    const {words, codeEnd} = tokenize(line.text)
    const header = sectionHeader(line, words)
    const current = bodies.at(-1)
    if (header) {
      bodies.push({section: {...header, header: line, lines: []}, directives: []})
    } else if (current) {
      current.section.lines.push(line)
      if (words.length > 0) current.directives.push({line: line.number, keyword: words[0], args: words.slice(1), text: line.text.slice(0, codeEnd).trim()})
    } else {
      preamble.push(line)
    }
  }

  return {preamble, bodies}
}
