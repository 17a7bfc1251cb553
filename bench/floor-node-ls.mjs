// The floor for `swarmnet node ls --json`: plain Node asking an engine for /nodes and printing the JSON.
// `node floor-node-ls.mjs unix:///path/docker.sock`, or `tcp://host:port` with DOCKER_CERT_PATH's TLS files.
import {readFileSync} from 'node:fs'

const url = new URL(process.argv[2])
const unix = url.protocol === 'unix:'
const {get} = await import(unix ? 'node:http' : 'node:https') // only what the transport needs, as swarmnet
const pem = (name) => readFileSync(`${process.env.DOCKER_CERT_PATH}/${name}.pem`)
get({...(unix ? {socketPath: url.pathname} : {host: url.hostname, port: url.port, ca: pem('ca'), cert: pem('cert'), key: pem('key')}), path: '/nodes'}, (res) => {
  let body = ''
  res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => console.log(JSON.stringify(JSON.parse(body), null, 2)))
})
