/** Builders for the routes the haproxy parser tests expect, so each expectation states every field of a route. */
import type {Condition, DfpNaming, MatchList, Route, RouteMatch, RouteServer} from '../../src/lib/haproxy/model.js'

export function cond(text: string, keyword: Condition['keyword'] = 'if'): Condition {
  const acls = text.split(' ').map((word) => ({name: word.replace(/^!/, ''), negated: word.startsWith('!'), defined: true}))
  return {keyword, text, acls, hasOr: false}
}

export function list(match: string, values: string[], flags: string[] = []): MatchList {
  return {match, flags, values}
}

export function match(fields: Partial<RouteMatch> = {}): RouteMatch {
  return {paths: [], excludedPaths: [], domains: [], srcPorts: [], headers: [], userAgents: [], sni: [], other: [], ...fields}
}

export function server(name: string, address: string, options: string[] = []): RouteServer {
  return {name, address, count: 1, template: false, options}
}

export function naming(fields: Partial<DfpNaming>): DfpNaming {
  return {generation: 'unknown', reqMode: 'http', aclName: null, serviceName: null, port: null, index: null, srcPort: null, https: false, ...fields}
}

export function route(fields: Partial<Route> & Pick<Route, 'frontend' | 'backend' | 'line'>): Route {
  return {
    frontendMode: 'http', rule: 'use_backend', condition: null, backendFound: true, backendMode: 'http', servers: [], sticky: false,
    auth: [], match: match(), naming: naming({}), placeholder: false, ...fields,
  }
}
