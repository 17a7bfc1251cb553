import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {inflateSync} from 'node:zlib'

/** One Graphviz node of an SVG: its dot id (the <title>), its text lines, and its shape's style attributes. */
export interface SvgNode {
  id: string
  texts: string[]
  fill?: string
  stroke?: string
  strokeWidth?: string
  dashed: boolean
  /** Two outlines (peripheries=2). */
  double: boolean
}

const decode = (text: string) =>
  text
    .replaceAll(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replaceAll(/&#x([\da-f]+);/gi, (_, n) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&')

/** Every text of the SVG, entities decoded, in document order. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]))
}

/** The nodes Graphviz drew, keyed by dot id. */
export function svgNodes(svg: string): Map<string, SvgNode> {
  const nodes = new Map<string, SvgNode>()
  for (const group of svg.split(/<g id="node\d+" class="node">/).slice(1)) {
    const body = group.split('</g>\n<!--')[0]
    const id = decode(/<title>([^<]*)<\/title>/.exec(body)![1])
    const shapes = [...body.matchAll(/<(?:path|polygon|ellipse)\b([^>]*)\/?>/g)].map((m) => m[1])
    const attribute = (name: string) => shapes.map((s) => new RegExp(`\\b${name}="([^"]*)"`).exec(s)?.[1]).find((v) => v !== undefined && v !== 'none')
    nodes.set(id, {id, texts: svgTexts(body), fill: attribute('fill'), stroke: attribute('stroke'), strokeWidth: attribute('stroke-width'), dashed: shapes.some((s) => s.includes('stroke-dasharray')), double: shapes.length >= 2})
  }

  return nodes
}

/** The SVG's own size in CSS pixels (Graphviz writes points). */
export function svgSize(svg: string): {width: number; height: number} {
  const [, width, height] = /<svg[^>]*\bwidth="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!
  return {width: Math.ceil((Number(width) * 96) / 72), height: Math.ceil((Number(height) * 96) / 72)}
}

/** An 8-bit RGB or RGBA PNG, decoded: chunks, inflated IDAT, scanline filters undone. */
export function decodePng(file: Buffer): {width: number; height: number; pixel(x: number, y: number): [number, number, number]} {
  if (file.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG')
  let offset = 8
  let header: Buffer | undefined
  const data: Buffer[] = []
  while (offset < file.length) {
    const length = file.readUInt32BE(offset)
    const type = file.toString('latin1', offset + 4, offset + 8)
    const body = file.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') header = body
    if (type === 'IDAT') data.push(body)
    offset += 12 + length
  }

  if (!header) throw new Error('PNG without IHDR')
  const width = header.readUInt32BE(0)
  const height = header.readUInt32BE(4)
  const [depth, colourType, , , interlace] = header.subarray(8, 13)
  if (depth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) throw new Error(`PNG kind not handled: depth ${depth}, colour type ${colourType}, interlace ${interlace}`)
  const channels = colourType === 6 ? 4 : 3
  const stride = width * channels
  const raw = inflateSync(Buffer.concat(data))
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[y * stride + i - channels] : 0
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0
      const paeth = () => {
        const p = left + up - upLeft
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)]
        return a <= b && a <= c ? left : b <= c ? up : upLeft
      }
      const predicted = [0, left, up, (left + up) >> 1, filter === 4 ? paeth() : 0][filter]
      if (predicted === undefined) throw new Error(`PNG filter ${filter} unknown`)
      pixels[y * stride + i] = (line[i] + predicted) & 0xff
    }
  }

  return {width, height, pixel: (x, y) => [pixels[y * stride + x * channels], pixels[y * stride + x * channels + 1], pixels[y * stride + x * channels + 2]]}
}

/** How many pixels are not white, and how many are exactly each of `colours` ("#rrggbb"). */
export function countPixels(png: ReturnType<typeof decodePng>, colours: string[] = []): {nonWhite: number; total: number; exactly: Record<string, number>} {
  const wanted = new Map(colours.map((c) => [Number.parseInt(c.slice(1), 16), c]))
  const exactly: Record<string, number> = Object.fromEntries(colours.map((c) => [c, 0]))
  let nonWhite = 0
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const [r, g, b] = png.pixel(x, y)
      if (r < 250 || g < 250 || b < 250) nonWhite++
      const colour = wanted.get((r << 16) | (g << 8) | b)
      if (colour) exactly[colour]++
    }
  }

  return {nonWhite, total: png.width * png.height, exactly}
}

/** Headless Chromium (Debian's `chromium`) draws the SVG file to a PNG, at the SVG's own size. */
export async function screenshot(svgFile: string, size: {width: number; height: number}): Promise<Buffer> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'swarmnet-chromium-'))
  const png = path.join(profile, 'out.png')
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--screenshot=${png}`, `--window-size=${size.width + 20},${size.height + 20}`, '--hide-scrollbars', `file://${svgFile}`]
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('chromium', flags, {timeout: 120_000}, (error, _stdout, stderr) => (error ? reject(new Error(`chromium: ${error.message}\n${stderr}`)) : resolve()))
    })
    return readFileSync(png)
  } finally {
    rmSync(profile, {recursive: true, force: true})
  }
}
