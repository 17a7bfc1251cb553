import {expect} from 'chai'

import type {LbResult} from '../../../src/lib/lb/lb.js'
import {renderLb} from '../../../src/lib/lb/render.js'
import {colour} from '../../../src/lib/ui/output.js'
import {withoutColour} from '../../helpers/fixtures.js'

const result = (overrides: Partial<LbResult> = {}): LbResult => ({
  target: 'http://10.0.0.11/demo', url: 'http://10.0.0.11/demo', from: {where: 'here'}, requests: 10, answered: 10, failed: 0, failures: {}, allowedFailures: 0, statuses: {200: 10},
  header: 'x-served-by', containers: [{id: 'aaaaaaaaaaaa', task: 'web.1', node: 'node-2', count: 10, share: 100, deviation: 50}], silent: ['web.2'], evenShare: 50, maxDeviation: 50,
  latencyMs: {min: 1, p50: 2, p90: 3, p99: 4, max: 5, resolution: 0.001}, durationMs: 100, throughput: 100, notes: [], ...overrides,
})

describe('lb: renderLb', () => {
  withoutColour(colour)

  it('all answered: counts, statuses, percentiles and the spread; no failure line', () => {
    const lines = renderLb(result()).split('\n')
    expect(lines[0]).to.equal('http://10.0.0.11/demo  10 requests from here: 10 answered in 100 ms (100 answers/s)')
    expect(lines).to.include('status 200: 10   latency p50 2 ms, p90 3 ms, p99 4 ms (min 1, max 5)')
    expect(lines).to.include('spread: at most 50 points from an even 50% each; never answered: web.2')
    expect(lines.some((l) => l.startsWith('failed'))).to.equal(false)
  })

  it('nothing answered: the failures by reason, no percentiles, no spread', () => {
    const text = renderLb(result({
      answered: 0, failed: 100, requests: 100, failures: {'connection refused': 100}, statuses: {}, containers: [], silent: [], evenShare: 100, maxDeviation: null,
      latencyMs: {min: null, p50: null, p90: null, p99: null, max: null, resolution: 0.001}, throughput: 0,
    }))
    const lines = text.split('\n')
    expect(lines[0]).to.equal('http://10.0.0.11/demo  100 requests from here: 0 answered, 100 failed in 100 ms (0 answers/s)')
    expect(lines).to.include('status -   latency -')
    expect(lines).to.include('failed 100 of 100: connection refused: 100')
    expect(text).not.to.include('spread')
    expect(text).not.to.include('p50')
  })

  it('some failed within --max-failed: the reasons and the allowance', () => {
    const lines = renderLb(result({answered: 8, failed: 2, failures: {'HTTP 503': 1, 'timed out': 1}, allowedFailures: 2, statuses: {200: 8, 503: 1}})).split('\n')
    expect(lines[0]).to.include(': 8 answered, 2 failed in')
    expect(lines).to.include('status 200: 8, 503: 1   latency p50 2 ms, p90 3 ms, p99 4 ms (min 1, max 5)')
    expect(lines).to.include('failed 2 of 10: HTTP 503: 1, timed out: 1 (--max-failed allows 2)')
  })
})
