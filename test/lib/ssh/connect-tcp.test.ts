import {expect} from 'chai'
import net from 'node:net'

import {connectFailure, connectTcp} from '../../../src/lib/ssh/connect-tcp.js'
import type {ResolvedSshConfig} from '../../../src/lib/ssh/ssh-config.js'

const config = (overrides: Partial<ResolvedSshConfig> = {}): ResolvedSshConfig => ({
  alias: 'node-2', hostName: 'node-2', user: 'root', port: 2222, identityFiles: [], identitiesOnly: false,
  userKnownHostsFiles: [], globalKnownHostsFiles: [], strictHostKeyChecking: 'ask', ...overrides,
})
const errno = (code: string, message = code) => Object.assign(new Error(message), {code})

describe('connect-tcp', () => {
  it('words each way a TCP connection fails', () => {
    expect(connectFailure(errno('ECONNREFUSED'), config())).to.equal('connection refused; expected an SSH server on port 2222')
    expect(connectFailure(errno('ENOTFOUND'), config())).to.equal('host name "node-2" not found')
    expect(connectFailure(errno('EAI_AGAIN'), config())).to.equal('host name lookup for "node-2" failed (DNS unavailable)')
    expect(connectFailure(errno('EHOSTUNREACH', 'connect EHOSTUNREACH 10.213.0.12:2222'), config())).to.match(/^cannot connect: /)
  })

  it('names the ssh config Host an address came from, and hands over a connected socket', async () => {
    const server = net.createServer((socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as net.AddressInfo
    try {
      const sock = await connectTcp(config({alias: 'node-2', hostName: '127.0.0.1', port}), 'ssh://root@127.0.0.1', 5000)
      expect(sock.remotePort).to.equal(port)
      sock.destroy()
    } finally {
      server.close()
    }

    const error = await connectTcp(config({alias: 'Node-2', hostName: '127.0.0.1', port}), 'ssh://root@127.0.0.1', 5000).catch((error_: Error) => error_)
    expect((error as Error).message).to.equal(`ssh://root@127.0.0.1: connection refused; expected an SSH server on port ${port} (ssh config Host Node-2)`)
  })
})
