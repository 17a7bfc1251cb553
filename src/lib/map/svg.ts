import {SwarmnetError} from '../core/errors.js'

/**
 * Draws a Graphviz digraph as SVG inside swarmnet: Graphviz compiled to WebAssembly (@viz-js/viz,
 * the wasm inside the package), so nobody needs Graphviz installed. Loaded only for --format svg:
 * 1 MB that no other command should read at start-up.
 */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await import('@viz-js/viz')
  const instance = await viz.instance()
  const result = instance.render(dot, {format: 'svg', engine: 'dot'})
  if (result.status !== 'success') throw new SwarmnetError(`Graphviz could not draw the map: ${result.errors.map((e) => e.message).join('; ')}`)
  return result.output
}
