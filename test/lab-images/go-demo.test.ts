// The lab's go-demo stand-in (lab/images/go-demo/server.mjs), run as a host process.
import { expect } from 'chai'
import http from 'node:http'
import os from 'node:os'
import { freePort, repoFile, request, startNode, stop, type Proc } from './helpers.js'

const SCRIPT = repoFile('lab/images/go-demo/server.mjs')

describe('lab image go-demo', function () {
  let demo: Proc | undefined
  let base = ''

  before(async function () {
    const port = await freePort()
    demo = await startNode(SCRIPT, { PORT: String(port) }, 'go-demo stand-in on')
    base = `http://127.0.0.1:${port}`
  })

  after(async function () {
    await stop(demo)
  })

  it('answers GET /demo/hello with 200 "hello, world!" and names the container', async function () {
    const r = await request(`${base}/demo/hello`)
    expect(r.status).to.equal(200)
    expect(r.body).to.equal('hello, world!')
    expect(r.headers['x-served-by']).to.equal(os.hostname())
  })

  it('answers 404 for any other path, still with X-Served-By', async function () {
    for (const path of ['/', '/demo', '/demo/hello/x', '/hello']) {
      const r = await request(`${base}${path}`)
      expect(r.status, path).to.equal(404)
      expect(r.headers['x-served-by'], path).to.equal(os.hostname())
    }
  })

  it('ignores the query string', async function () {
    const r = await request(`${base}/demo/hello?x=1`)
    expect(r.status).to.equal(200)
  })

  it('exits 0 promptly on SIGTERM, even with a keep-alive connection open', async function () {
    const port = await freePort()
    const own = await startNode(SCRIPT, { PORT: String(port) }, 'go-demo stand-in on')
    try {
      // Leave an idle keep-alive connection behind, as a proxy would.
      const agent = new http.Agent({ keepAlive: true })
      await new Promise<void>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/demo/hello`, { agent }, (res) => {
          res.resume()
          res.on('end', () => resolve())
        }).on('error', reject)
      })
      own.child.kill('SIGTERM')
      const exit = await own.exited
      agent.destroy()
      // Exit 0 with the connection open. (That it is quicker than the keep-alive timeout is a clock
      // bound, which a test on a loaded machine cannot promise: not asserted.)
      expect(exit.code).to.equal(0)
    } finally {
      await stop(own)
    }
  })
})
