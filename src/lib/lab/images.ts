import {chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Engine} from '../docker/engine.js'
import {SwarmnetError} from '../core/errors.js'
import {IMAGES, paths} from './layout.js'
import {run, which} from './system.js'

/**
 * The programs that run inside the lab's images (lab equipment, not part of the CLI), in lab/images at
 * the package root: above src/lib/lab in development, above dist/ when run from the bundle.
 */
function equipmentDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir)
  return path.join(dir, 'lab', 'images')
}

const APPLETS = ['sh', 'ash', 'cat', 'echo', 'env', 'grep', 'head', 'hostname', 'id', 'ip', 'kill', 'ls', 'mkdir', 'nc', 'netstat', 'nslookup', 'pidof', 'ping', 'ps', 'rm', 'sed', 'sleep', 'tail', 'top', 'traceroute', 'true', 'wget']

/**
 * The real image's HEALTHCHECK instruction, word for word (docker-flow/docker-flow-proxy Dockerfile at
 * f3219564). With it Swarm keeps a new proxy task `starting` until the first check passes (~5 s after
 * its API already answers), as it does with the real image.
 */
export const PROXY_HEALTHCHECK = 'HEALTHCHECK --interval=5s --start-period=3s --timeout=10s CMD check.sh'

/**
 * The real image's scripts/check.sh in busybox sh: ping its own API, then HAProxy must run (busybox has
 * pidof, not pgrep), then with LISTENER_ADDRESS wait for the initial reload. 127.0.0.1 rather than
 * localhost: busybox wget crashes on name lookups in this image. HEALTHCHECK defaults to true as the
 * real image's ENV does.
 */
const CHECK_SH = `#!/bin/sh
# The lab's copy of docker-flow-proxy's scripts/check.sh (its image's HEALTHCHECK command).
if [ "\${HEALTHCHECK:-true}" = "true" ]; then
    if ! wget -qO- "http://127.0.0.1:\${PORT:-8080}/v1/docker-flow-proxy/ping"; then
        echo "ERROR: Failed to ping docker-flow-proxy"
        exit 1
    fi
    if ! pidof haproxy; then
        echo "ERROR: haproxy process is not running"
        exit 1
    fi
    if [ -n "$LISTENER_ADDRESS" ]; then
        until wget -qO- "http://127.0.0.1:\${PORT:-8080}/v1/docker-flow-proxy/successfulinitreload"; do
            sleep 0.5
        done
    fi
fi
exit 0
`

/** What each lab image runs. Both share one root filesystem, so the second import stores no new layer. */
const IMAGE_SPECS = [
  {tag: IMAGES.goDemo, changes: ['CMD ["node", "/srv/go-demo/server.mjs"]', 'EXPOSE 8080', 'LABEL org.swarmnet.lab=go-demo']},
  {tag: IMAGES.proxy, changes: ['CMD ["node", "/srv/proxy/server.mjs"]', 'EXPOSE 80 443 8080', PROXY_HEALTHCHECK, 'LABEL org.swarmnet.lab=proxy']},
] as const

interface Binaries {
  node: string
  haproxy: string
  busybox: string
}

/**
 * Assembles the images' root filesystem from this machine's own node, haproxy and busybox plus the
 * shared libraries they load (no registry exists here), as a tarball in the lab's directory.
 */
export async function buildRootfs(): Promise<string> {
  const binaries = findBinaries()
  const tarball = path.join(paths.imageBuild, 'rootfs.tar')
  const root = path.join(paths.imageBuild, 'rootfs')
  rmSync(root, {recursive: true, force: true})
  for (const dir of ['bin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'tmp', 'var/run', 'run', 'cfg', 'srv', 'root', 'proc', 'sys', 'dev']) mkdirSync(path.join(root, dir), {recursive: true})
  chmodSync(path.join(root, 'tmp'), 0o1777)
  copyFileSync(binaries.node, path.join(root, 'usr/bin/node'))
  copyFileSync(binaries.haproxy, path.join(root, 'usr/sbin/haproxy'))
  copyFileSync(binaries.busybox, path.join(root, 'bin/busybox'))
  for (const file of ['usr/bin/node', 'usr/sbin/haproxy', 'bin/busybox']) chmodSync(path.join(root, file), 0o755)
  for (const applet of APPLETS) symlinkSync('busybox', path.join(root, 'bin', applet))
  for (const lib of await sharedLibraries([binaries.node, binaries.haproxy])) {
    mkdirSync(path.join(root, path.dirname(lib)), {recursive: true})
    copyFileSync(lib, path.join(root, lib))
  }

  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n')
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
  writeFileSync(path.join(root, 'etc/nsswitch.conf'), 'hosts: files dns\n')
  writeFileSync(path.join(root, 'usr/local/bin/check.sh'), CHECK_SH, {mode: 0o755})
  const equipment = equipmentDir()
  copyTree(path.join(equipment, 'go-demo'), path.join(root, 'srv/go-demo'))
  copyTree(path.join(equipment, 'proxy'), path.join(root, 'srv/proxy'))
  await run('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', tarball, '.'], {timeoutMs: 120_000})
  rmSync(root, {recursive: true, force: true})
  return tarball
}

/** Imports both lab images into one engine, skipping those already there. */
export async function importImages(engine: Engine, tarball: string): Promise<void> {
  const present = new Set(await engine.listImageTags())
  for (const spec of IMAGE_SPECS) {
    if (!present.has(spec.tag)) await engine.importImage(createReadStream(tarball), spec.tag, [...spec.changes])
  }
}

export async function missingImages(engine: Engine): Promise<string[]> {
  const present = new Set(await engine.listImageTags())
  return IMAGE_SPECS.map((s) => s.tag).filter((tag) => !present.has(tag))
}

function findBinaries(): Binaries {
  const node = process.execPath
  const haproxy = which('haproxy')
  const busybox = which('busybox')
  if (!haproxy) throw new SwarmnetError('the lab images need haproxy on this machine: apt-get install -y haproxy')
  if (!busybox) throw new SwarmnetError('the lab images need busybox on this machine: apt-get install -y busybox-static')
  return {node, haproxy, busybox}
}

async function sharedLibraries(binaries: string[]): Promise<string[]> {
  const libs = new Set<string>()
  for (const binary of binaries) {
    const {stdout} = await run('ldd', [binary])
    for (const match of stdout.matchAll(/(\/\S+) \(0x/g)) libs.add(match[1])
  }

  return [...libs]
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new SwarmnetError(`the lab's image programs are missing: ${dir}`)
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
}

function copyTree(from: string, to: string): void {
  for (const file of listFiles(from)) {
    const target = path.join(to, path.relative(from, file))
    mkdirSync(path.dirname(target), {recursive: true})
    copyFileSync(file, target)
  }
}
