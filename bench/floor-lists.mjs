// The floor for the scale bench: plain Node asking an engine for the four lists network ls and doctor's
// swarm-wide checks read (/nodes, /networks, /services, /tasks), parsing them, and printing their sizes.
// `node floor-lists.mjs unix:///path/docker.sock`: what the data alone costs, before swarmnet does anything.
import {get} from 'node:http'

const socketPath = new URL(process.argv[2]).pathname
const list = (path) => new Promise((resolve, reject) => {
  get({socketPath, path}, (res) => {
    const chunks = []
    res.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))).on('error', reject)
  }).on('error', reject)
})
const lists = await Promise.all(['/nodes', '/networks', '/services', '/tasks'].map(list))
console.log(JSON.stringify(lists.map((l) => l.length)))
