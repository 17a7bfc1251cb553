import {swarmnet} from './helpers/cli.js'

/**
 * The integration suite runs against one real 3-node lab: brought up before the first test (over
 * whatever a killed earlier run left) and removed after the last, which must leave nothing behind.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(300_000)
    const result = await swarmnet(['lab', 'up', '--json'], {timeoutMs: 240_000})
    if (result.code !== 0) throw new Error(`swarmnet lab up failed (exit ${result.code}): ${result.stderr || result.stdout}`)
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000)
    const result = await swarmnet(['lab', 'down', '--yes', '--json'], {timeoutMs: 100_000})
    if (result.code !== 0) throw new Error(`swarmnet lab down failed (exit ${result.code}): ${result.stderr || result.stdout}`)
  },
}
