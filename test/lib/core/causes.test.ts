import {expect} from 'chai'

import {describeCauses, groupByCause} from '../../../src/lib/core/causes.js'

describe('causes: one line per cause, naming the nodes it hit', () => {
  it('a cause common to every node is said once with the nodes; different causes stay per node', () => {
    const items = [
      {who: 'node-1', cause: 'cannot read SSH config X'},
      {who: 'node-2', cause: 'cannot read SSH config X'},
      {who: 'node-3', cause: 'connection refused'},
      {who: 'node-2', cause: 'cannot read SSH config X'},
    ]
    expect(describeCauses(items)).to.equal('cannot read SSH config X (node-1, node-2); node-3: connection refused')
    expect(groupByCause(items).map((g) => g.who)).to.deep.equal([['node-1', 'node-2'], ['node-3']])
    expect(describeCauses([])).to.equal('')
  })
})
