// Reads the haproxy.cfg that docker-flow-proxy writes into sections, frontends, backends and
// routes ("which path goes where"). Pure: no I/O. Never throws: what does not fit ends up in
// `problems`, and every input byte stays in the raw lines of the preamble or of a section.
// The pieces: model.ts (types), lexer.ts (lines, words, sections), grammar.ts and acl.ts (HAProxy's
// sections and conditions), routes.ts (what goes where), dfp-naming.ts (what the proxy's names say).

import {configGeneration} from './dfp-naming.js'
import {parseProxies, parseUserlist, reportDuplicates, reportStrayLines} from './grammar.js'
import {groupSections, lineEnding, splitLines, tokenize} from './lexer.js'
import type {HaproxyConfig, LineText, Problem, Section} from './model.js'
import {buildRoutes} from './routes.js'

/** The file again, byte for byte, from the raw lines. */
export function configText(config: Pick<HaproxyConfig, 'preamble' | 'sections'>): string {
  const lines = [...config.preamble, ...config.sections.flatMap((s) => [s.header, ...s.lines])]
  return lines.map((l) => l.text + l.eol).join('')
}

/** A section's directives as written, without comments, blank lines and indentation. */
export function sectionDirectives(section: Section): LineText[] {
  return section.lines
    .map((line) => ({line: line.number, text: line.text.slice(0, tokenize(line.text).codeEnd).trim()}))
    .filter((d) => d.text !== '')
}

export function parseHaproxyConfig(text: string): HaproxyConfig {
  const problems: Problem[] = []
  const report = (line: number | null, message: string): void => {
    problems.push({line, message})
  }

  const lines = splitLines(String(text ?? ''))
  const {preamble, bodies} = groupSections(lines)
  reportStrayLines(preamble, report)
  const userlists = bodies.filter((b) => b.section.keyword === 'userlist').map((b) => parseUserlist(b))
  const {frontends, backends} = parseProxies(bodies, userlists, report)
  reportDuplicates(frontends, 'frontend', report)
  reportDuplicates(backends, 'backend', report)
  const routes = buildRoutes(frontends, backends, userlists, report)
  return {
    generation: configGeneration(routes),
    finalNewline: lines.length > 0 && lines.at(-1)!.eol !== '',
    lineEnding: lineEnding(lines),
    preamble,
    sections: bodies.map((b) => b.section),
    frontends,
    backends,
    userlists,
    routes,
    problems,
  }
}
