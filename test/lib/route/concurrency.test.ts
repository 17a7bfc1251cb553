import {expect} from 'chai'

import {mapLimit} from '../../../src/lib/core/concurrency.js'

const sleep = (ms: number) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

/** mapLimit is what `route sync --concurrency N` sends its requests to each replica with. */
describe('concurrency: mapLimit', () => {
  it('keeps the input\'s order whatever order the calls end in', async () => {
    const delays = [40, 5, 25, 0, 15, 30, 1]
    const result = await mapLimit(delays, 3, async (ms, i) => {
      await sleep(ms)
      return `${i}:${ms}`
    })
    expect(result).to.deep.equal(['0:40', '1:5', '2:25', '3:0', '4:15', '5:30', '6:1'])
  })

  for (const limit of [1, 2, 4]) {
    it(`never has more than ${limit} call(s) in flight, and uses them all`, async () => {
      let inFlight = 0
      let most = 0
      const started: number[] = []
      await mapLimit(Array.from({length: 12}, (_, i) => i), limit, async (item) => {
        started.push(item)
        inFlight++
        most = Math.max(most, inFlight)
        await sleep(5 + (item % 3) * 5)
        inFlight--
        return item
      })
      expect(most).to.equal(limit)
      expect(inFlight).to.equal(0)
      expect(started).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    })
  }

  it('calls each item exactly once, with its index', async () => {
    const calls: [string, number][] = []
    await mapLimit(['a', 'b', 'c', 'd', 'e'], 2, async (item, index) => {
      calls.push([item, index])
      await sleep(1)
    })
    expect(calls.sort()).to.deep.equal([['a', 0], ['b', 1], ['c', 2], ['d', 3], ['e', 4]])
  })

  it('works with a limit above the number of items, and with none', async () => {
    expect(await mapLimit([1, 2], 64, async (n) => n * 2)).to.deep.equal([2, 4])
    expect(await mapLimit([], 4, async () => expect.fail('not called'))).to.deep.equal([])
  })

  it('runs one at a time with limit 1', async () => {
    const log: string[] = []
    await mapLimit(['a', 'b', 'c'], 1, async (item) => {
      log.push(`start ${item}`)
      await sleep(2)
      log.push(`end ${item}`)
    })
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('propagates an error', async () => {
    const error = await mapLimit([1, 2, 3, 4], 2, async (n) => {
      await sleep(n)
      if (n === 3) throw new Error('replica 3 failed')
      return n
    }).then(
      () => expect.fail('should have failed'),
      (error: Error) => error,
    )
    expect(error.message).to.equal('replica 3 failed')
  })

  it('propagates an error thrown before the first await', async () => {
    const error = await mapLimit([1], 1, () => {
      throw new Error('sync throw')
    }).catch((error: Error) => error)
    expect((error as Error).message).to.equal('sync throw')
  })
})
