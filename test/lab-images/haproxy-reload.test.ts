// The stand-in's HAProxy driver against a master that, like HAProxy's right after a reload's
// re-exec, drops SIGUSR2 for a while before it catches it again. Seen on the lab: a reload
// whose signal came in that window waited out the whole 15 s timeout.
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoFile } from './helpers.js'

const { HAProxy } = (await import(pathToFileURL(repoFile('lab/images/proxy/haproxy.mjs')).href)) as {
  HAProxy: new (opts: { bin: string; cfg: string; log: (line: string) => void }) => {
    start(): Promise<void>
    reload(): Promise<{ ok: boolean }>
    stop(): Promise<void>
  }
}

// Prints what HAProxy's master prints; SIGUSR2 is ignored (so lost) for its first IGNORE_S seconds.
const FAKE_MASTER = `#!/bin/bash
trap '' USR2
echo "[NOTICE]   ($$) : New worker (1) forked"
echo "[NOTICE]   ($$) : Loading success."
sleep "$IGNORE_S"
trap 'echo "[NOTICE]   ($$) : Reloading HAProxy"; echo "[NOTICE]   ($$) : Loading success."; echo "[WARNING]  (1) : Proxy services stopped"' USR2
while :; do sleep 0.05; done
`

describe('lab image proxy: HAProxy reloads', function () {
  this.timeout(20000)
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swarmnet-haproxy-reload-'))
    fs.writeFileSync(path.join(dir, 'haproxy'), FAKE_MASTER, { mode: 0o755 })
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  // The driver waits up to 2 s for the master to catch SIGUSR2, and resends every 2 s.
  for (const [ignoreS, why] of [
    ['0.5', 'waits until the master catches SIGUSR2 before sending it'],
    ['3', 'sends SIGUSR2 again when the master never took it'],
  ] as const) {
    it(`${why}, instead of waiting out the timeout`, async () => {
      process.env.IGNORE_S = ignoreS
      const lines: string[] = []
      const haproxy = new HAProxy({ bin: path.join(dir, 'haproxy'), cfg: path.join(dir, 'haproxy.cfg'), log: (l) => lines.push(l) })
      try {
        await haproxy.start()
        const r = await haproxy.reload()
        expect(r.ok).to.equal(true)
        expect(lines.join('\n')).to.include('Reloading HAProxy')
        // Waiting out the 15 s timeout logs this; no clock bound needed to tell.
        expect(lines.join('\n')).not.to.include('did not confirm')
      } finally {
        await haproxy.stop()
        delete process.env.IGNORE_S
      }
    })
  }
})
