/**
 * The live loss curve: an inline SVG polyline of the mean loss per epoch, with the
 * running mean of the epoch under way as its last point. No chart library.
 */

/** One point of the curve: `x` in epochs (1.5 = half-way through the second). */
export interface LossPoint {
  readonly x: number;
  readonly loss: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 160;
const MARGIN = { left: 44, right: 10, top: 10, bottom: 22 };

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A loss as the axis prints it: 3 significant digits. */
const label = (value: number): string => String(Number(value.toPrecision(3)));

/**
 * Redraws `svg` with `points` (x ascending) over `epochs` on the x axis. The polyline
 * carries the points in `data-points` (`x:loss` pairs) so a test can read the curve.
 * @example
 * ```ts
 * renderLossChart(document.querySelector('svg')!, [{ x: 1, loss: 0.69 }, { x: 2, loss: 0.41 }], 10);
 * ```
 */
export function renderLossChart(svg: SVGSVGElement, points: readonly LossPoint[], epochs: number): void {
  svg.replaceChildren();
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  svg.append(
    element('line', { x1: MARGIN.left, y1: MARGIN.top + plotH, x2: MARGIN.left + plotW, y2: MARGIN.top + plotH }),
    element('line', { x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: MARGIN.top + plotH }),
    element('text', { x: MARGIN.left + plotW, y: HEIGHT - 6, 'text-anchor': 'end' }, `epoch (of ${epochs})`),
  );
  if (points.length === 0) return;
  const losses = points.map((p) => p.loss);
  let low = Math.min(...losses);
  let high = Math.max(...losses);
  if (high - low < 1e-9) (low -= 0.5), (high += 0.5);
  const x = (epoch: number): number => MARGIN.left + (plotW * epoch) / Math.max(epochs, 1);
  const y = (loss: number): number => MARGIN.top + plotH * (1 - (loss - low) / (high - low));
  svg.append(
    element('text', { x: MARGIN.left - 4, y: MARGIN.top + 8, 'text-anchor': 'end' }, label(high)),
    element('text', { x: MARGIN.left - 4, y: MARGIN.top + plotH, 'text-anchor': 'end' }, label(low)),
    element('text', { x: MARGIN.left + 4, y: MARGIN.top + 8 }, 'loss'),
    element('polyline', {
      points: points.map((p) => `${x(p.x).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' '),
      'data-points': points.map((p) => `${p.x}:${p.loss}`).join(' '),
    }),
  );
}
