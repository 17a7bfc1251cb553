import {expect} from 'chai'

import {UsageError} from '../../src/lib/core/errors.js'

/** The message of the usage error `fn` throws; fails the test when it throws none, or another kind. */
export function usageMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return (error as Error).message
  }

  throw new Error('expected a usage error')
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function fails(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('should have failed'),
    (error: Error) => error,
  )
}
