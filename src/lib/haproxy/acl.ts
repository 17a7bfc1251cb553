// ACLs (`acl <name> <criterion> [flags] [values]`) and the conditions that use them (`if`/`unless`).

import {type Directive, type SectionBody, tokenize} from './lexer.js'
import type {Acl, AclUse, Condition, Reporter} from './model.js'

/** The `acl` lines of a section; one without a criterion is reported, not kept. */
export function parseAcls(directives: Directive[], report: Reporter): Acl[] {
  const acls: Acl[] = []
  for (const d of directives.filter((x) => x.keyword === 'acl')) {
    const [name, ...rest] = d.args
    if (name === undefined || rest.length === 0) report(d.line, 'acl without a name and a criterion')
    else acls.push({name, ...parseCriterion(rest), line: d.line})
  }

  return acls
}

const FLAGS_WITH_ARGUMENT = new Set(['-m', '-f', '-u'])

/** "<criterion> [flags] [values]"; the words a criterion takes, also inside `{ ... }`. */
function parseCriterion(words: string[]): {criterion: string; flags: string[]; values: string[]} {
  const [criterion = '', ...rest] = words
  const flags: string[] = []
  const flagWords: string[] = []
  let i = 0
  while (i < rest.length && rest[i].startsWith('-') && rest[i].length > 1 && !/^-\d/.test(rest[i])) {
    if (rest[i] === '--') {
      i++
      break
    }

    const takesArgument = FLAGS_WITH_ARGUMENT.has(rest[i]) && i + 1 < rest.length
    const flag = takesArgument ? `${rest[i]} ${rest[i + 1]}` : rest[i]
    flags.push(flag)
    flagWords.push(...flag.split(' '))
    i += takesArgument ? 2 : 1
  }

  return {criterion, flags, values: dropRepeatedCriterion(rest.slice(i), [criterion, ...flagWords])}
}

/**
 * docker-flow-proxy writes several paths as `path_beg /a path_beg /b`. HAProxy reads the second
 * `path_beg` as one more pattern; the proxy meant two paths, so the repeats are dropped.
 */
function dropRepeatedCriterion(values: string[], group: string[]): string[] {
  const out: string[] = []
  let i = 0
  while (i < values.length) {
    if (out.length > 0 && group.every((w, k) => values[i + k] === w)) {
      i += group.length
      continue
    }

    out.push(values[i])
    i++
  }

  return out
}

// ACLs HAProxy defines itself.
const PREDEFINED_ACLS = new Set([
  'FALSE', 'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_3.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH',
  'HTTP_URL_STAR', 'LOCALHOST', 'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST',
  'METH_PUT', 'METH_TRACE', 'RDP_COOKIE', 'REQ_CONTENT', 'TRUE', 'WAIT_END',
])

// Rules other than use_backend whose conditions name ACLs (use_backend is checked with its route).
const RULE_KEYWORDS = new Set(['http-request', 'http-response', 'http-after-response', 'tcp-request', 'tcp-response', 'redirect', 'use-server'])

/** ACLs named in a section's other rules but defined nowhere. */
export function reportUndefinedInRules(body: SectionBody, acls: Acl[], report: Reporter): void {
  const defined = new Set(acls.map((a) => a.name))
  const where = `${body.section.keyword} "${body.section.name ?? ''}"`
  for (const d of body.directives.filter((x) => RULE_KEYWORDS.has(x.keyword))) {
    for (const use of splitCondition(d.args, defined).condition?.acls ?? []) {
      if (!use.defined) report(d.line, `${where} uses ACL "${use.name}", which is not defined`)
    }
  }
}

/** A rule's words before `if`/`unless`, and its condition. */
export function splitCondition(args: string[], defined: Set<string>): {before: string[]; condition: Condition | null} {
  const at = args.findIndex((a) => a === 'if' || a === 'unless')
  if (at === -1) return {before: args, condition: null}
  return {before: args.slice(0, at), condition: parseCondition(args[at] as Condition['keyword'], args.slice(at + 1), defined)}
}

function parseCondition(keyword: Condition['keyword'], words: string[], defined: Set<string>): Condition {
  const acls: AclUse[] = []
  let hasOr = false
  let negated = false
  for (let i = 0; i < words.length; i++) {
    let word = words[i]
    if (word === '||' || word === 'or') {
      hasOr = true
      continue
    }

    if (word.startsWith('!')) {
      negated = !negated
      word = word.slice(1)
      if (word === '') continue
    }

    if (word === '{') {
      const close = words.indexOf('}', i + 1)
      const end = close === -1 ? words.length : close
      acls.push({name: `{ ${words.slice(i + 1, end).join(' ')} }`, negated, defined: true})
      i = end
    } else {
      acls.push({name: word, negated, defined: defined.has(word) || PREDEFINED_ACLS.has(word)})
    }

    negated = false
  }

  // unless a b == !a || !b
  return {keyword, text: words.join(' '), acls, hasOr: hasOr || (keyword === 'unless' && acls.length > 1)}
}

/** The ACL a condition term stands for: a defined one (all its lines), or the anonymous one itself. */
export function aclsOf(use: AclUse, index: Map<string, Acl[]>): Acl[] {
  if (use.name.startsWith('{ ') && use.name.endsWith(' }')) {
    const inner = tokenize(use.name.slice(2, -2)).words
    return [{name: use.name, ...parseCriterion(inner), line: 0}]
  }

  return index.get(use.name) ?? []
}

/** ACLs by name: one name may have several lines, which HAProxy ORs together. */
export function aclIndex(acls: Acl[]): Map<string, Acl[]> {
  const index = new Map<string, Acl[]>()
  for (const acl of acls) index.set(acl.name, [...(index.get(acl.name) ?? []), acl])
  return index
}

/** `http_auth(xUsers)`, `http_auth_group(xUsers)` -> xUsers */
export function authUserlist(criterion: string): string | null {
  return /^http_auth(?:_group)?\(([^)]*)\)/.exec(criterion)?.[1] ?? null
}

/** The userlists whose users a condition asks for (through its http_auth ACLs). */
export function conditionUserlists(condition: Condition | null, index: Map<string, Acl[]>): string[] {
  return (condition?.acls ?? []).flatMap((use) => aclsOf(use, index)).map((a) => authUserlist(a.criterion)).filter((u) => u !== null)
}
