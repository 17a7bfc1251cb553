// Lab stand-in for the book's vfarcic/go-demo (no registry in the lab, so no real image).
// GET /demo/hello -> 200 "hello, world!"; anything else -> 404.
// Every answer names the container (os.hostname() is the container id in Swarm) in
// X-Served-By, so load balancing across replicas can be seen from outside.
import http from 'node:http'
import os from 'node:os'

const port = Number(process.env.PORT || 8080)
const servedBy = os.hostname()

const server = http.createServer((req, res) => {
  const path = new URL(req.url || '/', 'http://localhost').pathname
  const found = path === '/demo/hello'
  res.writeHead(found ? 200 : 404, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Served-By': servedBy,
  })
  res.end(found ? 'hello, world!' : '404 page not found\n')
})

// Keep-alive connections from the proxy would otherwise hold close() open; Swarm
// gives a task 10 s after SIGTERM, we want to be gone long before that.
function shutdown() {
  server.close(() => process.exit(0))
  server.closeAllConnections()
  setTimeout(() => process.exit(0), 1000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

// No host given: listen on every address (IPv4 and IPv6), whatever the overlay hands out.
server.listen(port, () => console.log(`go-demo stand-in on :${port} as ${servedBy}`))
