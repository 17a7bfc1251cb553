import {expect} from 'chai'
import net from 'node:net'

import {watchDockerCli} from '../../../src/lib/docker-plugin/socket.js'
import {eventually} from '../../helpers/lab.js'

/** A server like docker's plugin server (cli-plugins/socket): abstract address, closed to say "stop". */
function pluginServer(): Promise<{address: string; connected: Promise<net.Socket>; close(): void}> {
  const name = `swarmnet_test_${process.pid}_${Math.random().toString(16).slice(2)}`
  let accept!: (socket: net.Socket) => void
  const connected = new Promise<net.Socket>((resolve) => {
    accept = resolve
  })
  const server = net.createServer(accept)
  return new Promise((resolve) => {
    server.listen(`\0${name}`, () => resolve({address: `@${name}`, connected, close: () => server.close()}))
  })
}

describe('watchDockerCli: docker\'s DOCKER_CLI_PLUGIN_SOCKET', () => {
  it('connects to the abstract socket docker names with @, and calls back when docker closes it', async () => {
    const server = await pluginServer()
    try {
      let closed = false
      const callback = new Promise<void>((resolve) => {
        watchDockerCli(server.address, () => {
          closed = true
          resolve()
        })
      })
      const connection = await server.connected
      expect(closed, 'called back before docker closed the socket').to.equal(false)
      connection.end() // what docker's PluginServer.Close does to each connection
      await callback
      expect(closed).to.equal(true)
    } finally {
      server.close()
    }
  })

  it('does nothing without the variable, and nothing when the socket is not there (an older or gone docker)', async () => {
    let called = false
    watchDockerCli(undefined, () => (called = true))
    watchDockerCli('@swarmnet_test_nobody_listens_here', () => (called = true))
    // The failed connect is reported on the next turns of the event loop: wait for a connect that surely fails to fail.
    await new Promise<void>((resolve) => {
      net.connect({path: '\0swarmnet_test_nobody_listens_here'}).on('error', () => setImmediate(resolve))
    })
    expect(called).to.equal(false)
  })
})

describe('watchDockerCli where Node cannot reach Go\'s abstract socket (Node 20 pads the name)', () => {
  it('watches /proc/net/unix instead, and calls back when docker\'s socket leaves it', async () => {
    const name = `@swarmnet_test_unreachable_${process.pid}`
    const header = 'Num       RefCount Protocol Flags    Type St Inode Path\n'
    let listing = `${header}0000000001b409f7: 00000002 00000000 00010000 0001 01 873404 ${name}\n`
    let reads = 0
    let closed = false
    const callback = new Promise<void>((resolve) => {
      const readListing = () => {
        reads += 1
        return listing
      }

      watchDockerCli(name, () => {
        closed = true
        resolve()
      }, {readListing, intervalMs: 10})
    })
    // Still listed: no call, however many times it looks.
    await eventually('the listing read a few times', async () => reads >= 3)
    expect(closed).to.equal(false)
    listing = header
    await callback
    expect(closed).to.equal(true)
  })
})
