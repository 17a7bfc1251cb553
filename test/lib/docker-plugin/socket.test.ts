import {expect} from 'chai'
import net from 'node:net'

import {watchDockerCli} from '../../../src/lib/docker-plugin/socket.js'

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
