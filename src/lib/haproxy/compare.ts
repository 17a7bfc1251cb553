// Compares the haproxy.cfg of several proxy replicas: a fan-out that missed one replica leaves
// it without a route, and only reading every replica's file back shows it.
import {createRequire} from 'node:module'

import type {HaproxyConfig, Route, Section} from './model.js'
import {parseHaproxyConfig, sectionDirectives} from './parse.js'

// jsdiff loads only when replicas differ (most runs compare identical files), and only its patch module.
const require = createRequire(import.meta.url)
function unifiedDiff(fromName: string, toName: string, from: string, to: string): string {
  const {createTwoFilesPatch} = require('diff/lib/patch/create.js') as typeof import('diff')
  return createTwoFilesPatch(fromName, toName, from, to, undefined, undefined, {context: 3})
}

export interface ReplicaConfig {
  label: string
  text: string
}

/** Replicas whose files are byte for byte the same. */
export interface ReplicaGroup {
  labels: string[]
  bytes: number
}

export interface RoutePresence {
  key: string
  frontend: string
  rule: Route['rule']
  /** "if url_go-demo8080_0", or null for default_backend */
  condition: string | null
  backend: string
  /** "go-demo go-demo:8080", "web web:80 x3" for a server-template */
  servers: string[]
  placeholder: boolean
  presentIn: string[]
  missingFrom: string[]
}

export interface BackendVariant {
  labels: string[]
  /** the backend section's directives, comments and blank lines left out */
  lines: string[]
  /** keys of the routes that lead to it */
  routes: string[]
}

/** A backend that some replicas define or route to differently. */
export interface RouteDrift {
  backend: string
  variants: BackendVariant[]
  missingFrom: string[]
}

export interface ReplicaDiff {
  labels: string[]
  reference: string
  /** unified diff from the reference replica's file to this group's file */
  patch: string
}

export interface ConfigComparison {
  identical: boolean
  /** the replica the others are diffed against: one of the largest group of identical files */
  reference: string | null
  groups: ReplicaGroup[]
  routes: RoutePresence[]
  differingRoutes: RouteDrift[]
  diffs: ReplicaDiff[]
}

export interface CompareOptions {
  /** diff against the largest group of identical replicas (default) or against the first replica */
  reference?: 'majority' | 'first'
}

/** Groups replicas with byte-identical files, in the order they first appear. */
export function groupIdentical(replicas: ReplicaConfig[]): ReplicaGroup[] {
  const byText = new Map<string, ReplicaGroup>()
  for (const {label, text} of replicas) {
    const group = byText.get(text)
    if (group) group.labels.push(label)
    else byText.set(text, {labels: [label], bytes: Buffer.byteLength(text)})
  }

  return [...byText.values()]
}

/** What makes two routes the same route: frontend, rule and condition, backend and its servers. */
export function routeKey(route: Route): string {
  const condition = route.condition ? ` ${route.condition.keyword} ${route.condition.text}` : ''
  return `${route.frontend}: ${route.rule}${condition} -> ${route.backend} [${serverNames(route).join(', ')}]`
}

export function compareConfigs(replicas: ReplicaConfig[], options: CompareOptions = {}): ConfigComparison {
  const groups = groupIdentical(replicas)
  const referenceGroup = pickReference(groups, options.reference ?? 'majority')
  const textOf = new Map(replicas.map((r) => [r.label, r.text]))
  const parsed = replicas.map((r) => ({label: r.label, config: parseHaproxyConfig(r.text)}))
  const labels = replicas.map((r) => r.label)
  return {
    identical: groups.length <= 1,
    reference: referenceGroup?.labels[0] ?? null,
    groups,
    routes: routePresence(parsed, labels),
    differingRoutes: routeDrift(parsed, labels),
    diffs: referenceGroup ? groups.filter((g) => g !== referenceGroup).map((g) => diffAgainst(referenceGroup, g, textOf)) : [],
  }
}

function pickReference(groups: ReplicaGroup[], rule: 'majority' | 'first'): ReplicaGroup | undefined {
  if (rule === 'first') return groups[0]
  // reduce keeps the earlier group on a tie, so the choice does not depend on sorting.
  return groups.reduce<ReplicaGroup | undefined>((best, g) => (best === undefined || g.labels.length > best.labels.length ? g : best), undefined)
}

function diffAgainst(reference: ReplicaGroup, group: ReplicaGroup, textOf: Map<string, string>): ReplicaDiff {
  const from = reference.labels[0]
  const to = group.labels[0]
  const patch = unifiedDiff(from, group.labels.join(', '), textOf.get(from) ?? '', textOf.get(to) ?? '')
  return {labels: group.labels, reference: from, patch}
}

function serverNames(route: Route): string[] {
  return route.servers.map((s) => `${s.name} ${s.address}${s.template ? ` x${s.count}` : ''}`)
}

interface ParsedReplica {
  label: string
  config: HaproxyConfig
}

function routePresence(parsed: ParsedReplica[], labels: string[]): RoutePresence[] {
  const byKey = new Map<string, RoutePresence>()
  for (const {label, config} of parsed) {
    for (const route of config.routes) {
      const key = routeKey(route)
      const entry = byKey.get(key) ?? newPresence(key, route)
      if (!entry.presentIn.includes(label)) entry.presentIn.push(label)
      byKey.set(key, entry)
    }
  }

  const entries = [...byKey.values()]
  for (const entry of entries) entry.missingFrom = labels.filter((l) => !entry.presentIn.includes(l))
  return entries
}

function newPresence(key: string, route: Route): RoutePresence {
  return {
    key,
    frontend: route.frontend,
    rule: route.rule,
    condition: route.condition ? `${route.condition.keyword} ${route.condition.text}` : null,
    backend: route.backend,
    servers: serverNames(route),
    placeholder: route.placeholder,
    presentIn: [],
    missingFrom: [],
  }
}

function routeDrift(parsed: ParsedReplica[], labels: string[]): RouteDrift[] {
  const names = [...new Set(parsed.flatMap(({config}) => [...backendSections(config).keys(), ...config.routes.map((r) => r.backend)]))]
  const drift: RouteDrift[] = []
  for (const backend of names) {
    const variants = new Map<string, BackendVariant>()
    for (const {label, config} of parsed) {
      const variant = backendVariant(config, backend)
      if (!variant) continue
      const id = JSON.stringify(variant)
      const existing = variants.get(id)
      if (existing) existing.labels.push(label)
      else variants.set(id, {labels: [label], ...variant})
    }

    if (variants.size < 2) continue
    const present = [...variants.values()].flatMap((v) => v.labels)
    drift.push({backend, variants: [...variants.values()], missingFrom: labels.filter((l) => !present.includes(l))})
  }

  return drift
}

function backendSections(config: HaproxyConfig): Map<string, Section> {
  const sections = new Map<string, Section>()
  for (const s of config.sections) {
    if ((s.keyword === 'backend' || s.keyword === 'listen') && s.name !== null && !sections.has(s.name)) sections.set(s.name, s)
  }

  return sections
}

/** What one replica has for a backend: its directives and the routes to it; undefined when it has neither. */
function backendVariant(config: HaproxyConfig, backend: string): Omit<BackendVariant, 'labels'> | undefined {
  const section = backendSections(config).get(backend)
  const routes = config.routes.filter((r) => r.backend === backend).map((r) => routeKey(r))
  if (!section && routes.length === 0) return undefined
  return {lines: section ? sectionDirectives(section).map((d) => d.text) : [], routes}
}
