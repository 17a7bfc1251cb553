// The floor for `swarmnet node ls --json`: plain Node asking an engine for /nodes and printing the JSON.
// `node floor-node-ls.mjs unix:///path/docker.sock`, or `tcp://host:port` with DOCKER_CERT_PATH's TLS files.
import {readFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'

const url = new URL(process.argv[2])
const pem = (name) => readFileSync(`${process.env.DOCKER_CERT_PATH}/${name}.pem`)
const [client, target] = url.protocol === 'unix:' ? [http, {socketPath: url.pathname}] : [https, {host: url.hostname, port: url.port, ca: pem('ca'), cert: pem('cert'), key: pem('key')}]
client.get({...target, path: '/nodes'}, (res) => {
  let body = ''
  res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => console.log(JSON.stringify(JSON.parse(body), null, 2)))
})
