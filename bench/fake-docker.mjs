// A stand-in Docker API for measuring start-up without the lab: `node bench/fake-docker.mjs DIR [PORT]`
// serves a 3-node swarm's read endpoints over mutual TLS on 127.0.0.1:PORT (certificates made with
// openssl in DIR; point DOCKER_CERT_PATH there) and over plain HTTP on DIR/docker.sock. E.g.
//   DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR hyperfine -N 'node bench/floor-node-ls.mjs tcp://127.0.0.1:23760' \
//     'node bin/run.js node ls --json -H tcp://127.0.0.1:23760'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'

const [dir, port = '23760'] = process.argv.slice(2)
const ssl = (...args) => execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', ...args], {cwd: dir, stdio: 'ignore'})
if (!existsSync(`${dir}/key.pem`)) {
  ssl('-keyout', 'ca-key.pem', '-out', 'ca.pem', '-subj', '/CN=fake CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
  const issue = (name, key, ext) => ssl('-keyout', key, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-addext', ext)
  issue('server', 'server-key.pem', 'subjectAltName=IP:127.0.0.1')
  issue('cert', 'key.pem', 'extendedKeyUsage=clientAuth')
}

const node = (i, role) => ({
  ID: `node${i}`.padEnd(25, 'x'), Version: {Index: 10 + i}, Spec: {Role: role, Availability: 'active', Labels: {}},
  Description: {Hostname: `node-${i}`, Engine: {EngineVersion: '27.5.1'}}, Status: {State: 'ready', Addr: `10.213.0.1${i}`},
  ...(role === 'manager' ? {ManagerStatus: {Leader: true, Reachability: 'reachable', Addr: `10.213.0.1${i}:2377`}} : {}),
})
const network = (name, driver, extra = {}) => ({Name: name, Id: `${name}`.padEnd(25, '0'), Driver: driver, Scope: driver === 'overlay' ? 'swarm' : 'local', Options: {}, Labels: {}, IPAM: {Config: []}, ...extra})
const answers = {
  '/_ping': 'OK',
  '/version': {Version: '27.5.1', ApiVersion: '1.47', Os: 'linux', Arch: 'amd64'},
  '/info': {Name: 'node-1', ServerVersion: '27.5.1', OperatingSystem: 'fake', Swarm: {NodeID: node(1).ID, NodeAddr: '10.213.0.11', LocalNodeState: 'active', ControlAvailable: true, Cluster: {ID: 'cluster'}, RemoteManagers: [{NodeID: node(1).ID, Addr: '10.213.0.11:2377'}]}},
  '/nodes': [node(1, 'manager'), node(2, 'worker'), node(3, 'worker')],
  '/networks': [network('bridge', 'bridge'), network('ingress', 'overlay', {Ingress: true, IPAM: {Config: [{Subnet: '10.0.0.0/24', Gateway: '10.0.0.1'}]}})],
  '/services': [], '/tasks': [], '/containers/json': [],
}
const handler = (req, res) => {
  const path = req.url.replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '')
  const body = path.startsWith('/networks/') ? answers['/networks'].find((n) => path.endsWith(n.Name) || path.endsWith(n.Id)) : answers[path]
  if (body === undefined) console.error(`fake docker: no answer for ${req.method} ${req.url}`)
  res.writeHead(body === undefined ? 404 : 200, {'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'Api-Version': '1.47'})
  res.end(typeof body === 'string' ? body : JSON.stringify(body ?? {message: 'not found'}))
}
const read = (name) => readFileSync(`${dir}/${name}`)
https.createServer({key: read('server-key.pem'), cert: read('server.pem'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true}, handler).listen(Number(port), '127.0.0.1')
rmSync(`${dir}/docker.sock`, {force: true})
http.createServer(handler).listen(`${dir}/docker.sock`, () => console.log(`tcp://127.0.0.1:${port} unix://${dir}/docker.sock`))
