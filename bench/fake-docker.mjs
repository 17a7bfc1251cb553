// A stand-in Docker API for measuring start-up without the lab: `node bench/fake-docker.mjs DIR [PORT]`
// serves a 3-node swarm's read endpoints over mutual TLS on 127.0.0.1:PORT (certificates made with
// openssl in DIR; point DOCKER_CERT_PATH there) and over plain HTTP on DIR/docker.sock. E.g.
//   DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR hyperfine -N 'node bench/floor-node-ls.mjs tcp://127.0.0.1:23760' \
//     'node bin/run.js node ls --json -H tcp://127.0.0.1:23760'
// A bigger cluster for the scale bench (bench/scale.sh): FAKE_NODES (default 3), FAKE_NETWORKS (overlays
// besides ingress, default 0) and FAKE_TASKS (default 0) make that many nodes, overlays (one vip service
// on each, a /22 apiece) and running tasks, spread round robin over the services and the nodes.
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
  Description: {Hostname: `node-${i}`, Engine: {EngineVersion: '27.5.1'}}, Status: {State: 'ready', Addr: nodeAddr(i)},
  ...(role === 'manager' ? {ManagerStatus: {Leader: true, Reachability: 'reachable', Addr: `${nodeAddr(i)}:2377`}} : {}),
})
const network = (name, driver, extra = {}) => ({Name: name, Id: `${name}`.padEnd(25, '0'), Driver: driver, Scope: driver === 'overlay' ? 'swarm' : 'local', Options: {}, Labels: {}, IPAM: {Config: []}, ...extra})
const count = (name, fallback) => Number(process.env[name] ?? fallback)
const [nodeCount, networkCount, taskCount] = [count('FAKE_NODES', 3), count('FAKE_NETWORKS', 0), count('FAKE_TASKS', 0)]
const nodeAddr = (i) => (nodeCount <= 9 ? `10.213.0.1${i}` : `10.213.${Math.floor(i / 200)}.${(i % 200) + 10}`)
// Overlay i: 10.(100 + i/64).((i%64)*4).0/22, so host n of it is that base plus n.
const overlayAddr = (i, host) => `10.${100 + Math.floor(i / 64)}.${(i % 64) * 4 + Math.floor(host / 256)}.${host % 256}`
const overlays = Array.from({length: networkCount}, (_, i) => network(`net-${i + 1}`, 'overlay', {Id: `net${i + 1}n`.padEnd(25, 'n'), IPAM: {Config: [{Subnet: `${overlayAddr(i, 0)}/22`, Gateway: overlayAddr(i, 1)}]}}))
const services = overlays.map((n, i) => ({
  ID: `svc${i + 1}`.padEnd(25, 's'), Version: {Index: 100 + i}, CreatedAt: '2026-12-01T00:00:00Z', UpdatedAt: '2026-12-01T00:00:00Z',
  Spec: {Name: `web-${i + 1}`, Labels: {}, Mode: {Replicated: {Replicas: Math.ceil(taskCount / networkCount)}}, EndpointSpec: {Mode: 'vip'},
    TaskTemplate: {ContainerSpec: {Image: 'swarmnet-lab/go-demo:latest'}, Networks: [{Target: n.Id}]}},
  Endpoint: {VirtualIPs: [{NetworkID: n.Id, Addr: `${overlayAddr(i, 2)}/22`}]},
}))
const tasks = services.length === 0 ? [] : Array.from({length: taskCount}, (_, t) => {
  const i = t % services.length
  const slot = Math.floor(t / services.length) + 1
  return {
    ID: `task${t}`.padEnd(25, 't'), ServiceID: services[i].ID, NodeID: node(1 + (t % nodeCount)).ID, Slot: slot, DesiredState: 'running', CreatedAt: '2026-12-01T00:00:00Z',
    Spec: {ContainerSpec: {Image: 'swarmnet-lab/go-demo:latest'}},
    Status: {State: 'running', Timestamp: '2026-12-01T00:00:01Z', Message: 'started', ContainerStatus: {ContainerID: `c${t}`.padEnd(64, '0')}},
    NetworksAttachments: [{Network: {ID: overlays[i].Id}, Addresses: [`${overlayAddr(i, slot + 2)}/22`]}],
  }
})
const answers = {
  '/_ping': 'OK',
  '/version': {Version: '27.5.1', ApiVersion: '1.47', Os: 'linux', Arch: 'amd64'},
  '/info': {Name: 'node-1', ServerVersion: '27.5.1', OperatingSystem: 'fake', Swarm: {NodeID: node(1).ID, NodeAddr: '10.213.0.11', LocalNodeState: 'active', ControlAvailable: true, Cluster: {ID: 'cluster'}, RemoteManagers: [{NodeID: node(1).ID, Addr: '10.213.0.11:2377'}]}},
  '/nodes': Array.from({length: nodeCount}, (_, i) => node(i + 1, i === 0 ? 'manager' : 'worker')),
  '/networks': [network('bridge', 'bridge'), network('ingress', 'overlay', {Ingress: true, IPAM: {Config: [{Subnet: '10.0.0.0/24', Gateway: '10.0.0.1'}]}}), ...overlays],
  '/services': services, '/tasks': tasks, '/containers/json': [],
}
// Each answer serialized once: what is measured is the client, not this server's JSON.stringify.
const bodies = new Map(Object.entries(answers).map(([path, body]) => [path, typeof body === 'string' ? body : JSON.stringify(body)]))
const handler = (req, res) => {
  const path = req.url.replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '')
  const body = path.startsWith('/networks/') ? answers['/networks'].find((n) => path === `/networks/${n.Name}` || path === `/networks/${n.Id}`) : answers[path]
  if (body === undefined) console.error(`fake docker: no answer for ${req.method} ${req.url}`)
  res.writeHead(body === undefined ? 404 : 200, {'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'Api-Version': '1.47'})
  res.end(bodies.get(path) ?? (typeof body === 'string' ? body : JSON.stringify(body ?? {message: 'not found'})))
}
const read = (name) => readFileSync(`${dir}/${name}`)
https.createServer({key: read('server-key.pem'), cert: read('server.pem'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true}, handler).listen(Number(port), '127.0.0.1')
rmSync(`${dir}/docker.sock`, {force: true})
http.createServer(handler).listen(`${dir}/docker.sock`, () => console.log(`tcp://127.0.0.1:${port} unix://${dir}/docker.sock`))
